/**
 * Cloudflare Workers: `npx wrangler dev`, `npx wrangler deploy` (wrangler.toml). Bindings are the environment;
 * the `SESSIONS` binding picks the store: a KV namespace (Workers KV) or a Durable Object namespace (atomic).
 */
import { agent } from "../agent.ts";
import { createApp } from "../lib/app.ts";
import { storeFromEnv } from "../storage/from-env.ts";

/** The Durable Object class of the `durable-object` store; bind it as `SESSIONS` in wrangler.toml to use it. */
export { ConversationObject } from "../storage/durable-object.ts";

export default createApp({ ...agent, store: (env) => storeFromEnv(env) });
