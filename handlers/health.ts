import type { Context } from "hono";
import type { AgentRuntime } from "../lib/app.ts";
import { DEVELOPMENT_WEBHOOK_SECRET } from "../lib/config.ts";

/** `GET /health`: up, and what is configured (never a secret, only whether it is set). */
export function healthHandler(runtime: (c: Context) => Promise<AgentRuntime>) {
  return async (c: Context): Promise<Response> => {
    const { config, model, store } = await runtime(c);
    return c.json({
      status: "ok",
      mode: config.mode,
      model: `${model.name}/${model.model}`,
      store: store.name,
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
