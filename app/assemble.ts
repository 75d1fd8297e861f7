/**
 * The routes and error answers of the agent backend, on a Hono app the caller makes: `createApp` (app/create-app.ts)
 * gives Hono's app and every model provider; a Workers entry (platforms/workers.ts) gives Hono's app and only its own
 * provider, so that its bundle holds no other.
 * @module
 */
import type { Context } from "hono";
import type { HonoBase } from "hono/hono-base";
import { ConfigError, HttpError } from "../lib/errors.ts";
import { errorFields } from "../lib/log.ts";
import { redactCredentials } from "../lib/redact.ts";
import { attachRuntime, createRuntime, type DefaultModel } from "../lib/runtime.ts";
import type { CreateAppOptions } from "../lib/types.ts";
import { agentHandler } from "../handlers/agent.ts";
import { authorizeCors, authorizeHandler } from "../handlers/authorize.ts";
import { healthHandler } from "../handlers/health.ts";

/** What a misconfigured backend answers: the detail is in its log, never in an answer to whoever asked. */
const CONFIG_ERROR_ANSWER = "the server is misconfigured: its log names the setting to fix";

/** What the platform decides: where the environment comes from, and the model when `options.model` gives none. */
export interface AppPlatform {
  env: (c: Context) => Record<string, unknown> | undefined;
  defaultModel: DefaultModel;
}

/**
 * Adds the agent backend to `app`: `POST /agent` (Layercode webhooks), `POST /authorize`, `GET /health`, the 405s,
 * the 404 and the error answers. `options.env`, when given, wins over `platform.env`. Development mode's loopback
 * guard is the caller's to add first (createApp does; the Workers entries never run in development mode).
 */
export function assembleApp<App extends HonoBase>(app: App, options: CreateAppOptions, platform: AppPlatform): App {
  const runtime = createRuntime(options, { env: options.env ?? platform.env, defaultModel: platform.defaultModel });
  attachRuntime(app, runtime);
  app.post("/agent", agentHandler(runtime));
  app.use("/authorize", authorizeCors(runtime));
  app.post("/authorize", authorizeHandler(runtime));
  app.get("/health", healthHandler(runtime));
  app.all("/agent", (c) => c.json({ error: "use POST for /agent" }, 405, { allow: "POST" }));
  app.all("/authorize", (c) => c.json({ error: "use POST for /authorize" }, 405, { allow: "POST, OPTIONS" }));
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${new URL(c.req.url).pathname}` }, 404));
  app.onError((error, c) => {
    if (error instanceof HttpError) return c.json({ error: error.message }, error.status as 400);
    if (error instanceof ConfigError) {
      console.error(JSON.stringify({ level: "error", message: redactCredentials(error.message) }));
      return c.json({ error: CONFIG_ERROR_ANSWER }, 500);
    }
    console.error(JSON.stringify({ level: "error", message: "unhandled error", ...errorFields(error) }));
    return c.json({ error: "internal error" }, 500);
  });
  return app;
}
