/**
 * Cloudflare Workers with Workers AI as the model provider (the `AI` binding, `WORKERS_AI_MODEL`; no key at all):
 * `npm run wrangler -- deploy platforms/cloudflare-workers-ai.ts` (or `main` in wrangler.toml), with
 * `[ai] binding = "AI"` in wrangler.toml.
 */
import { workersAiFromEnv } from "../llm/workers-ai.ts";
import { createWorker } from "./workers.ts";

/** The Durable Object class of the `durable-object` store, bound as `SESSIONS` by `--env durable`. */
export { ConversationObject } from "../storage/durable-object.ts";

/** The module Worker, with Workers AI as its model provider. */
export default createWorker({ "workers-ai": workersAiFromEnv });
