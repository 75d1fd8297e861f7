// Serves the Vercel function in Vercel's Edge Runtime (`edge-runtime`, the runtime `vercel dev` uses): api/index.js
// with the bundle it re-exports (dist/vercel.js), compiled to one script as Vercel's edge builder does, and called
// as Vercel calls an edge function: the method's export, with `{ waitUntil }` as its context. Prints
// "listening on http://HOST:PORT" once it serves.
import { build } from "esbuild";
import { EdgeRuntime, runServer } from "edge-runtime";
import { buildBundles } from "../../scripts/build.mjs";
import { ROOT, workerBindings } from "./serve-env.mjs";

await buildBundles({ names: ["vercel"] });
const route = `
import * as module from "./api/index.js";
const route = { ...module };
if (route.config?.runtime !== "edge") throw new Error("api/index.js must export config = { runtime: 'edge' }");
addEventListener("fetch", (event) => {
  const handler = typeof route.default === "function" ? route.default : route[event.request.method];
  if (!handler) return event.respondWith(new Response(null, { status: 405 }));
  event.respondWith(handler(event.request, { waitUntil: (work) => event.waitUntil(work) }));
});`;
const { outputFiles } = await build({
  stdin: { contents: route, resolveDir: ROOT, sourcefile: "edge-entry.js" },
  bundle: true,
  write: false,
  format: "iife",
  platform: "browser",
  conditions: ["edge-light", "worker", "browser"],
  logLevel: "warning",
});
const env = workerBindings(process.env);
const runtime = new EdgeRuntime({
  initialCode: outputFiles[0].text,
  extend: (context) => Object.assign(context, { process: { env } }),
});
const server = await runServer({ runtime, host: process.env.HOST ?? "127.0.0.1", port: Number(process.env.PORT ?? 3000) });
console.log(`Layercode agent on edge-runtime listening on ${server.url.replace(/\/$/, "")}`);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.close().finally(() => process.exit(0)));
