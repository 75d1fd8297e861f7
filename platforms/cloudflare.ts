/**
 * Cloudflare Workers, the default build: Gemini (`GOOGLE_GENERATIVE_AI_API_KEY`). `npm run wrangler -- dev`,
 * `npm run wrangler -- deploy` (wrangler.toml's `main`). For another model provider, deploy its entry instead:
 * platforms/cloudflare-openai.ts or platforms/cloudflare-workers-ai.ts (README: Deploy to Cloudflare Workers).
 */
import { geminiFromEnv } from "../llm/gemini.ts";
import { createWorker } from "./workers.ts";

/** The Durable Object class of the `durable-object` store, bound as `SESSIONS` by `--env durable`. */
export { ConversationObject } from "../storage/durable-object.ts";

/** The module Worker, with Gemini as its model provider. */
export default createWorker({ gemini: geminiFromEnv });
