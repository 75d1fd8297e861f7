/**
 * The model the environment configures, with every provider held: what `createApp` uses on the platforms whose
 * bundles hold them all (Bun, Deno, Node, Vercel). The Workers entries pass only their own provider to
 * `openModel` (llm/choose-model.ts) instead, so that a Worker's bundle holds one.
 * @module
 */
import type { AgentConfig } from "../lib/config.ts";
import { type ModelOpeners, openModel } from "./choose-model.ts";
import { geminiFromEnv } from "./gemini.ts";
import { createOfflineModel } from "./offline.ts";
import { openAiFromEnv } from "./openai.ts";
import type { ModelProvider } from "./types.ts";
import { workersAiFromEnv } from "./workers-ai.ts";

export { chooseModelProvider, MODEL_PROVIDERS, type ModelProviderName } from "./choose-model.ts";

/** Every provider `MODEL_PROVIDER` may name, and development mode's offline agent. */
export const ALL_MODEL_PROVIDERS: ModelOpeners = {
  gemini: geminiFromEnv,
  openai: openAiFromEnv,
  "workers-ai": workersAiFromEnv,
  offline: createOfflineModel,
};

/**
 * The model the environment configures, when `createApp({ model })` gives none: Gemini
 * (`GOOGLE_GENERATIVE_AI_API_KEY`, `GEMINI_MODEL`, `GEMINI_BASE_URL`), an OpenAI-compatible endpoint (`OPENAI_API_KEY`,
 * `OPENAI_BASE_URL`, `OPENAI_MODEL`) or Workers AI (the `AI` binding, `WORKERS_AI_MODEL`), chosen by
 * `chooseModelProvider`. With none present, development mode answers with the offline agent.
 * @throws {ConfigError} as `chooseModelProvider` does, and for a malformed `OPENAI_BASE_URL`.
 */
export function modelFromEnv(env: Record<string, unknown>, config: AgentConfig): ModelProvider {
  return openModel(env, config, { providers: ALL_MODEL_PROVIDERS });
}
