import type { Context } from "hono";
import type { AgentRuntime } from "../lib/types.ts";
import { DEVELOPMENT_WEBHOOK_SECRET } from "../lib/config.ts";
import type { ConversationStore } from "../storage/types.ts";

/** What `/health` says of the store: it answered a read (`ok`), or failed or timed out (`unavailable`). */
export type StoreStatus = "ok" | "unavailable";

/** How long one store check answers every `/health` request. */
const CHECK_EVERY_MS = 5000;
/** The key read by the check (absent in any store: the read is what counts). */
const PROBE_KEY = "health:probe";

/**
 * `GET /health`: up, what is configured (never a secret, only whether it is set), and whether the store answers.
 * The store is checked with one bounded read (`STORE_TIMEOUT_MS`), at most once per 5 seconds whatever the number
 * of requests: concurrent requests share the check in flight, so `/health` never amplifies load on the store.
 */
export function healthHandler(runtime: (c: Context) => Promise<AgentRuntime>) {
  const checks = new WeakMap<ConversationStore, { at: number; status: Promise<StoreStatus> }>();
  const storeStatus = (store: ConversationStore, now: number): Promise<StoreStatus> => {
    const last = checks.get(store);
    if (last && now - last.at < CHECK_EVERY_MS) return last.status;
    const status = store.get(PROBE_KEY).then((): StoreStatus => "ok", (): StoreStatus => "unavailable");
    checks.set(store, { at: now, status });
    return status;
  };
  return async (c: Context): Promise<Response> => {
    const { config, model, store, now } = await runtime(c);
    const status = await storeStatus(store, now());
    return c.json({
      status: status === "ok" ? "ok" : "degraded",
      mode: config.mode,
      model: `${model.name}/${model.model}`,
      store: store.name,
      storeStatus: status,
      // "development": the public development secret is accepted, which is never a configured secret.
      webhookSecret: config.webhookSecrets.includes(DEVELOPMENT_WEBHOOK_SECRET)
        ? "development"
        : config.webhookSecrets.length > 0
        ? "set"
        : "missing",
      layercodeApiKey: config.layercodeApiKey ? "set" : "missing",
    });
  };
}
