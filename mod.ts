/**
 * A runtime-portable Layercode agent backend: one Web-standard handler for Deno, Bun, Cloudflare Workers and
 * Vercel. `POST /agent` verifies Layercode's signed webhooks and streams Gemini's reply as Server-Sent Events,
 * `POST /authorize` authorizes browser sessions, `GET /health` reports the configuration.
 * A Layercode simulator for trying and testing a backend (`createChatClient`, `readFrames`) is the `./client` export.
 *
 * @example
 * import { createApp } from "./mod.ts";
 * export default createApp({ hooks: { welcome: () => "Hello! What can I do for you?" } });
 *
 * @module
 */
import { agent } from "./agent.ts";
import { createApp } from "./app/create-app.ts";

export {
  type AgentHooks,
  type AgentProfile,
  type AgentRuntime,
  type AuthorizeBody,
  type CreateAppOptions,
  type FromEnv,
  type HookContext,
  type SessionSummary,
} from "./lib/types.ts";
export { createApp } from "./app/create-app.ts";
export { type AgentConfig, DEFAULT_SYSTEM_PROMPT, DEVELOPMENT_WEBHOOK_SECRET, readConfig } from "./lib/config.ts";
export { ConfigError, HttpError, WebhookVerificationError } from "./lib/errors.ts";
export type * from "./lib/events.ts";
export { createHistory, type History, historyKeyOf, type HistoryOptions } from "./lib/history.ts";
export type { Message } from "./lib/message.ts";
export {
  type ParsedSignature,
  signWebhook,
  type VerifiedSignature,
  verifySignature,
  type VerifySignatureOptions,
} from "./lib/signature.ts";
export { encodeFrame, type ResponseFrame } from "./lib/sse.ts";
export { renderTemplate } from "./lib/template.ts";
export { createVoiceSanitizer, sanitizeForVoice, type VoiceSanitizer, type VoiceSanitizerOptions } from "./lib/voice.ts";
export { MAX_UNDECIDED } from "./lib/voice/scanner.ts";
export type { TurnEvent, TurnMetrics } from "./lib/turn-events.ts";
export { createGeminiModel, type GeminiModelOptions, geminiFromEnv } from "./llm/gemini.ts";
export { createOfflineModel } from "./llm/offline.ts";
export { createOpenAiModel, DEFAULT_OPENAI_MODEL, openAiFromEnv, type OpenAiModelOptions } from "./llm/openai.ts";
export {
  createWorkersAiModel,
  DEFAULT_WORKERS_AI_MODEL,
  type WorkersAiBinding,
  workersAiFromEnv,
  type WorkersAiModelOptions,
} from "./llm/workers-ai.ts";
export {
  chooseModelProvider,
  MODEL_PROVIDERS,
  type ModelOpener,
  type ModelOpeners,
  type ModelProviderName,
  openModel,
} from "./llm/choose-model.ts";
export { ALL_MODEL_PROVIDERS, modelFromEnv } from "./llm/from-env.ts";
export { UpstreamError } from "./llm/chat-stream.ts";
export type {
  AnyTool,
  JsonSchema,
  ModelChunk,
  ModelInput,
  ModelProvider,
  Tool,
  ToolOptions,
  TurnContext,
  Usage,
} from "./llm/types.ts";
export { createMemoryStore, type MemoryStore, type MemoryStoreOptions } from "./storage/memory.ts";
export type { ConversationStore, SetOptions, Versioned } from "./storage/types.ts";
export { StoreError } from "./storage/errors.ts";
export { chooseStore, openBindingStore, type StoreChoice, type StoreName, type StoreOpeners } from "./storage/choose-store.ts";
export { storeFromEnv } from "./storage/from-env.ts";
export { createCloudflareKvStore, type CloudflareKvStoreOptions } from "./storage/cloudflare-kv.ts";
export { ConversationObject, createDurableObjectStore, type DurableObjectStoreOptions } from "./storage/durable-object.ts";

export { agent } from "./agent.ts";
export { currentTime } from "./tools/current-time.ts";

/** The template's agent configured from the environment: `deno serve mod.ts`, or a Workers module. */
export default createApp(agent);
