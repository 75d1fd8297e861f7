/**
 * The assembly of the agent backend: its routes and its error answers, nothing else.
 *
 * It lives in app/, above lib/ (building blocks) and handlers/ (one route each), because it imports every handler
 * and handlers import lib/: with the assembly inside lib/, lib/ and handlers/ imported each other. Now the imports
 * go one way (app/ → handlers/ → lib/), which `npm run check` (scripts/check-graph.mjs) keeps so.
 * @module
 */
import { type Context, Hono } from "hono";
import { getRuntimeKey } from "hono/adapter";
import { ConfigError, HttpError } from "../lib/errors.ts";
import { errorFields } from "../lib/log.ts";
import { redactCredentials } from "../lib/redact.ts";
import { attachRuntime, createRuntime } from "../lib/runtime.ts";
import type { CreateAppOptions } from "../lib/types.ts";
import { agentHandler } from "../handlers/agent.ts";
import { authorizeCors, authorizeHandler } from "../handlers/authorize.ts";
import { healthHandler } from "../handlers/health.ts";
import { loopbackHostsOnly } from "../handlers/loopback-hosts.ts";

/** What a misconfigured backend answers: the detail is in its log, never in an answer to whoever asked. */
const CONFIG_ERROR_ANSWER = "the server is misconfigured: its log names the setting to fix";

/**
 * The environment of an app given none (the platform entries all give theirs): Workers' bindings, which come with
 * each request, where Hono's `getRuntimeKey()` says `workerd`; elsewhere the process's one environment.
 */
function platformEnv(c: Context): Record<string, unknown> | undefined {
  if (getRuntimeKey() === "workerd") return c.env as Record<string, unknown> | undefined;
  return (globalThis as { process?: { env?: Record<string, unknown> } }).process?.env;
}

/**
 * Creates the agent backend: `POST /agent` (Layercode webhooks), `POST /authorize`, `GET /health`.
 * @example
 * export default createApp({ hooks: { welcome: () => "Hello from my agent!" } });
 */
export function createApp(options: CreateAppOptions = {}): Hono {
  const runtime = createRuntime(options, options.env ?? platformEnv);
  const app = new Hono();
  attachRuntime(app, runtime);
  if (options.development) app.use("*", loopbackHostsOnly());
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
