/**
 * Vercel, Edge or Node.js runtime: `api/index.js` re-exports the built bundle of this file (`npm run build`, run by
 * Vercel as `vercel-build`), and vercel.json routes `/agent`, `/authorize` and `/health` to it.
 */
import { agent } from "../agent.ts";
import { createApp } from "../lib/app.ts";
import { storeFromEnv } from "../storage/from-env.ts";
import { openUpstashStore } from "../storage/upstash.ts";

type WaitUntil = (work: Promise<unknown>) => void;
type RequestContext = { get?: () => { waitUntil?: WaitUntil } | undefined };

// Memory by default; Upstash (or Vercel KV) once its REST variables are set, so that history outlives an instance.
const app = createApp({ ...agent, store: (env) => storeFromEnv(env, { upstash: openUpstashStore }) });

/** Vercel's Web handler. Work that outlives the response goes to the `waitUntil` of Vercel's context argument,
 * or of `@vercel/request-context` (what `@vercel/functions` reads), so the function is not frozen mid-write. */
export function handle(request: Request, context?: { waitUntil?: WaitUntil }): Response | Promise<Response> {
  const global = (globalThis as { [key: symbol]: RequestContext | undefined })[Symbol.for("@vercel/request-context")];
  const waitUntil = context?.waitUntil ?? global?.get?.()?.waitUntil ?? ((work) => void work.catch(() => {}));
  return app.fetch(request, undefined, { waitUntil, passThroughOnException() {}, props: {} });
}

export { handle as GET, handle as HEAD, handle as OPTIONS, handle as POST };
export default { fetch: handle };
