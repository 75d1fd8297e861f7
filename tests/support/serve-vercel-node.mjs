// Serves the Vercel function on Node.js, as Vercel's Node.js runtime runs a Web-standard function: api/index.js's
// method exports (dist/vercel.js, built first), each called with the request as a Web `Request`, over a Node HTTP
// server (@hono/node-server converts both ways). `config` is ignored here, as it is once deleted for the Node runtime.
// Prints "listening on http://HOST:PORT" once it serves.
import { serve } from "@hono/node-server";
import { pathToFileURL } from "node:url";
import { buildBundles } from "../../scripts/build.mjs";
import { ROOT } from "./serve-env.mjs";

await buildBundles({ names: ["vercel"] });
const route = await import(pathToFileURL(`${ROOT}api/index.js`).href);
const pending = new Set();
const waitUntil = (work) => {
  pending.add(work);
  work.finally(() => pending.delete(work));
};
const server = serve({
  hostname: process.env.HOST ?? "127.0.0.1",
  port: Number(process.env.PORT ?? 3000),
  fetch: (request) => {
    const handler = route[request.method];
    return handler ? handler(request, { waitUntil }) : new Response(null, { status: 405 });
  },
}, (info) => console.log(`Layercode agent on Vercel's Node.js runtime (emulated) listening on http://127.0.0.1:${info.port}`));
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => server.close(() => Promise.allSettled([...pending]).finally(() => process.exit(0))));
}
