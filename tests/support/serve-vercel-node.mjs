// Serves the Vercel function that `vercel build` wrote for the Node.js runtime (the committed api/index.js):
// .vercel/output/functions/api/index.func, its handler (.vc-config.json) imported in Node, each method export called
// with the request as a Web `Request`, as Vercel's Node.js runtime calls a Web-standard function, over a Node HTTP
// server (@hono/node-server converts both ways). Work handed to `waitUntil` from `@vercel/functions` reaches the
// request context Vercel's launcher installs (`Symbol.for("@vercel/request-context")`), emulated here. Only the
// paths config.json routes to the function reach it. Prints "listening on http://HOST:PORT" once it serves.
import { serve } from "@hono/node-server";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { vercelOutput } from "./vercel-output.mjs";

const { func, vcConfig, routesToFunction } = await vercelOutput("nodejs");
if (vcConfig.launcherType !== "Nodejs" || !String(vcConfig.runtime).startsWith("nodejs")) {
  throw new Error(`vercel build did not write a Node.js function: ${JSON.stringify(vcConfig)}`);
}
const route = await import(pathToFileURL(join(func, vcConfig.handler)).href);
const pending = new Set();
const waitUntil = (work) => {
  console.log("request context: waitUntil"); // a test checks the handler hands its late work to Vercel
  pending.add(work);
  work.finally(() => pending.delete(work));
};
Object.defineProperty(globalThis, Symbol.for("@vercel/request-context"), {
  configurable: true,
  value: { get: () => ({ waitUntil }) },
});
const server = serve({
  hostname: process.env.HOST ?? "127.0.0.1",
  port: Number(process.env.PORT ?? 3000),
  fetch: (request) => {
    if (!routesToFunction(new URL(request.url).pathname)) return new Response("The page could not be found", { status: 404 });
    const handler = route[request.method];
    return handler ? handler(request) : new Response(null, { status: 405 });
  },
}, (info) => console.log(`Layercode agent on Vercel's Node.js runtime (vercel build output) listening on http://127.0.0.1:${info.port}`));
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => server.close(() => Promise.allSettled([...pending]).finally(() => process.exit(0))));
}
