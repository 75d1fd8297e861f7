// Serves the Vercel function that `vercel build` wrote for the Edge runtime (api/index.js with its Edge switch
// applied, built from a copy of the checkout) in Vercel's Edge Runtime (`edge-runtime`, what `vercel dev` uses):
// .vercel/output/functions/api/index.func's entrypoint compiled to one script as Vercel's edge builder does, and
// called as Vercel calls an edge function: the method's export, with `{ waitUntil }` as its context, and the request
// context `@vercel/functions` reads (`Symbol.for("@vercel/request-context")`) installed. Only the paths config.json
// routes to the function reach it. Prints "listening on http://HOST:PORT" once it serves.
import { build } from "esbuild";
import { EdgeRuntime, runServer } from "edge-runtime";
import { vercelOutput } from "./vercel-output.mjs";
import { workerBindings } from "./serve-env.mjs";

const { func, vcConfig, routesToFunction } = await vercelOutput("edge");
if (vcConfig.runtime !== "edge" || !vcConfig.entrypoint) {
  throw new Error(`vercel build did not write an Edge function: ${JSON.stringify(vcConfig)}`);
}
const entry = `
import * as module from "./${vcConfig.entrypoint}";
const route = { ...module };
addEventListener("fetch", (event) => {
  if (!globalThis.__routesToFunction(new URL(event.request.url).pathname)) {
    return event.respondWith(new Response("The page could not be found", { status: 404 }));
  }
  const handler = typeof route.default === "function" ? route.default : route[event.request.method];
  if (!handler) return event.respondWith(new Response(null, { status: 405 }));
  event.respondWith(handler(event.request, { waitUntil: (work) => event.waitUntil(work) }));
});`;
const { outputFiles } = await build({
  stdin: { contents: entry, resolveDir: func, sourcefile: "edge-entry.js" },
  bundle: true,
  write: false,
  format: "iife",
  platform: "browser",
  conditions: ["edge-light", "worker", "browser"],
  logLevel: "warning",
});
const env = workerBindings(process.env);
const pending = new Set();
const waitUntil = (work) => {
  console.log("request context: waitUntil"); // a test checks the handler hands its late work to Vercel
  pending.add(work);
  work.finally(() => pending.delete(work));
};
const runtime = new EdgeRuntime({
  initialCode: outputFiles[0].text,
  extend: (context) => Object.assign(context, { process: { env }, __routesToFunction: routesToFunction }),
});
runtime.context.globalThis[Symbol.for("@vercel/request-context")] = { get: () => ({ waitUntil }) };
const server = await runServer({ runtime, host: process.env.HOST ?? "127.0.0.1", port: Number(process.env.PORT ?? 3000) });
console.log(`Layercode agent on edge-runtime (vercel build output) listening on ${server.url.replace(/\/$/, "")}`);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => Promise.allSettled([...pending]).then(() => server.close()).finally(() => process.exit(0)));
