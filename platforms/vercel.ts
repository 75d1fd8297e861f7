/**
 * Vercel Functions, Node.js runtime by default or Edge: `api/index.js` re-exports the built bundle of this file
 * (`dist/vercel.js`, written by the `vercel-build` script that `vercel build` runs first), and vercel.json routes
 * `/agent`, `/authorize` and `/health` to it.
 */
import { waitUntil } from "@vercel/functions";
import { agent } from "../agent.ts";
import { createApp } from "../app/create-app.ts";
import { storeFromEnv } from "../storage/from-env.ts";
import { openUpstashStore } from "../storage/upstash.ts";

// The environment is `process.env`, on the Node.js runtime and on Edge alike (read as a global: Edge has no node:*).
const env = (globalThis as { process?: { env?: Record<string, unknown> } }).process?.env ?? {};
// Memory by default; Upstash (or Vercel KV) once its REST variables are set, so that history outlives an instance.
const app = createApp({ ...agent, env, store: (env) => storeFromEnv(env, { upstash: openUpstashStore }) });

/** Hands work that outlives the response to Vercel (`waitUntil` of `@vercel/functions`), so that the function is
 * not frozen mid-write; outside Vercel, where there is no request context, the work simply runs on. */
function keepAlive(work: Promise<unknown>): void {
  waitUntil(work.catch(() => {}));
}

/** Vercel's Web handler: one export per HTTP method, each called with the request as a Web `Request`. */
export function handle(request: Request): Response | Promise<Response> {
  return app.fetch(request, undefined, { waitUntil: keepAlive, passThroughOnException() {}, props: {} });
}

export { handle as GET, handle as HEAD, handle as OPTIONS, handle as POST };
export default { fetch: handle };
