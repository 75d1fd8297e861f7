/**
 * Cloudflare Workers with an OpenAI-compatible endpoint as the model provider (`OPENAI_API_KEY`, `OPENAI_BASE_URL`,
 * `OPENAI_MODEL`): `npm run wrangler -- deploy platforms/cloudflare-openai.ts` (or `main` in wrangler.toml).
 */
import { openAiFromEnv } from "../llm/openai.ts";
import { createWorker } from "./workers.ts";

/** The Durable Object class of the `durable-object` store, bound as `SESSIONS` by `--env durable`. */
export { ConversationObject } from "../storage/durable-object.ts";

/** The module Worker, with the OpenAI-compatible provider as its model provider. */
export default createWorker({ openai: openAiFromEnv });
