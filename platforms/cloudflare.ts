/**
 * Cloudflare Workers: `npm run wrangler -- dev`, `npm run wrangler -- deploy` (wrangler.toml). Bindings are the
 * environment, typed by `Env` in worker-configuration.d.ts (`npm run cf-typegen`); the `SESSIONS` binding picks
 * the store: a KV namespace (Workers KV) or a Durable Object namespace (atomic, `--env durable`).
 */
import { agent } from "../agent.ts";
import { createApp } from "../app/create-app.ts";
import { storeFromEnv } from "../storage/from-env.ts";

/** The Durable Object class of the `durable-object` store, bound as `SESSIONS` by `--env durable`. */
export { ConversationObject } from "../storage/durable-object.ts";

const app = createApp({ ...agent, env: (c) => c.env, store: (env) => storeFromEnv(env) });

/** The most of an unread request body that is read and thrown away before a refusal is sent, and for how long. */
const DRAIN = { bytes: 1024 * 1024, ms: 2000 };

/**
 * Reads what is left of a request body the app refused without reading (413 from its Content-Length, 415, 404…).
 * workerd's HTTP server (`wrangler dev`, miniflare) closes a keep-alive connection whose request body was left
 * unread, without `connection: close` (it strips that header from a Worker's response), so a client that pools
 * connections sends its next request into a closed one (ECONNRESET). workerd allows no read after the response,
 * so this runs before it; bodies beyond the bound are left to be dropped with the connection.
 */
async function drain(body: ReadableStream<Uint8Array>, contentLength: string | null): Promise<void> {
  if (contentLength !== null && !(Number(contentLength) <= DRAIN.bytes)) return;
  const reader = body.getReader();
  const timer = setTimeout(() => reader.cancel().catch(() => {}), DRAIN.ms);
  try {
    for (let read = 0; read <= DRAIN.bytes;) {
      const { done, value } = await reader.read();
      if (done) return;
      read += value.byteLength;
    }
    await reader.cancel();
  } catch { /* the client went away, or the time bound cancelled the read */ } finally {
    clearTimeout(timer);
  }
}

/** The module Worker: the app, with its bindings typed by `Env` (generated from wrangler.toml). */
export default {
  async fetch(request, env, ctx) {
    const response = await app.fetch(request, env, ctx);
    if (request.body && !request.bodyUsed && !request.body.locked) {
      await drain(request.body, request.headers.get("content-length"));
    }
    return response;
  },
} satisfies ExportedHandler<Env>;
