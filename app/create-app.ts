/**
 * `createApp`: the agent backend on Hono's default app, with every model provider `MODEL_PROVIDER` may name.
 *
 * It lives in app/, above lib/ (building blocks) and handlers/ (one route each), because it imports every handler
 * and handlers import lib/: with the assembly inside lib/, lib/ and handlers/ imported each other. Now the imports
 * go one way (app/ → handlers/ → lib/), which `npm run check` (scripts/check-graph.mjs) keeps so. The routes
 * themselves are in app/assemble.ts, which the Workers entries use with a smaller app and one provider.
 * @module
 */
import { type Context, Hono } from "hono";
import { getRuntimeKey } from "hono/adapter";
import { loopbackHostsOnly } from "../handlers/loopback-hosts.ts";
import { modelFromEnv } from "../llm/from-env.ts";
import type { CreateAppOptions } from "../lib/types.ts";
import { assembleApp } from "./assemble.ts";

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
  const app = new Hono();
  if (options.development) app.use("*", loopbackHostsOnly());
  return assembleApp(app, options, { env: platformEnv, defaultModel: modelFromEnv });
}
