/**
 * What the Workers entries share (platforms/cloudflare*.ts): the module Worker around the app, with only the model
 * providers the entry passes. Bindings are the environment, typed by `Env` in worker-configuration.d.ts
 * (`npm run cf-typegen`); the `SESSIONS` binding picks the store: a KV namespace (Workers KV) or a Durable Object
 * namespace (atomic, `--env durable`). The app is the same Hono app as on every other platform (app/assemble.ts):
 * only the model providers differ.
 * @module
 */
import { Hono } from "hono";
import { agent } from "../agent.ts";
import { assembleApp } from "../app/assemble.ts";
import { type ModelOpeners, type ModelProviderName, openModel } from "../llm/choose-model.ts";
import { chooseStore, openBindingStore } from "../storage/choose-store.ts";

/** The entry file that holds each provider, for the error that names a provider this Worker leaves out. */
export const WORKER_ENTRIES: Record<ModelProviderName, string> = {
  gemini: "platforms/cloudflare.ts",
  openai: "platforms/cloudflare-openai.ts",
  "workers-ai": "platforms/cloudflare-workers-ai.ts",
};

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

/**
 * The module Worker of the template's agent with the given model providers: `MODEL_PROVIDER` (or the key or binding
 * present) chooses among them at run time, and one this Worker leaves out is a `ConfigError` naming the entry that
 * holds it.
 * @example
 * // platforms/cloudflare-openai.ts
 * export default createWorker({ openai: openAiFromEnv });
 */
export function createWorker(providers: ModelOpeners): ExportedHandler<Env> {
  const options = { ...agent, store: (env: Record<string, unknown>) => openBindingStore(chooseStore(env), env) };
  const app = assembleApp(new Hono(), options, {
    env: (c) => c.env,
    defaultModel: (env, config) =>
      openModel(env, config, {
        providers,
        rebuild: (name) => `deploy ${WORKER_ENTRIES[name]} instead (npm run wrangler -- deploy ${WORKER_ENTRIES[name]})`,
      }),
  });
  return {
    async fetch(request, env, ctx) {
      const response = await app.fetch(request, env, ctx);
      if (request.body && !request.bodyUsed && !request.body.locked) {
        await drain(request.body, request.headers.get("content-length"));
      }
      return response;
    },
  };
}
