import { ConfigError } from "../lib/errors.ts";
import { streamChat, UpstreamError } from "./chat-stream.ts";
import { envText } from "../lib/env.ts";
import { missingModel } from "./choose-model.ts";
import { DEFAULT_MAX_TOOL_ROUNDS, type ModelInput, type ModelProvider } from "./types.ts";

/** Options of {@link createOpenAiModel}. */
export interface OpenAiModelOptions {
  /** `OPENAI_API_KEY`, sent as `Authorization: Bearer …`; leave it out for endpoints without keys (Ollama, vLLM). */
  apiKey?: string;
  /** `OPENAI_MODEL`. @default "gpt-4.1-mini" */
  model?: string;
  /** `OPENAI_BASE_URL`: any endpoint speaking Chat Completions. @default "https://api.openai.com/v1" */
  baseUrl?: string;
  /** Extra request headers (OpenRouter's `HTTP-Referer`, an AI gateway's token). */
  headers?: Record<string, string>;
  /** Most rounds of tool calls in one turn. @default 4 */
  maxToolRounds?: number;
}

/**
 * OpenAI's small, fast model: quicker to its first token than the larger GPT-4.1 and GPT-4o models and better at
 * following instructions and calling tools than gpt-4o-mini, which is what a voice agent needs most.
 */
export const DEFAULT_OPENAI_MODEL = "gpt-4.1-mini";

/** OpenAI's API; any OpenAI-compatible endpoint replaces it through `baseUrl`. */
export const DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1";

/**
 * An OpenAI-compatible Chat Completions endpoint (OpenAI, Groq, Cerebras, OpenRouter, Together, Fireworks, DeepSeek,
 * vLLM, Ollama, Workers AI's OpenAI endpoint) over plain `fetch`: `stream: true` with usage in the last chunk, tools
 * as `tools` / `tool_calls` (arguments assembled from their streamed pieces), the turn's signal aborting the request.
 * @example
 * createApp({ model: createOpenAiModel({ apiKey: env.OPENAI_API_KEY, baseUrl: "https://api.groq.com/openai/v1", model: "llama-3.1-8b-instant" }) });
 */
export function createOpenAiModel(options: OpenAiModelOptions = {}): ModelProvider {
  const model = options.model ?? DEFAULT_OPENAI_MODEL;
  const url = `${(options.baseUrl ?? DEFAULT_OPENAI_BASE_URL).replace(/\/+$/, "")}/chat/completions`;
  const headers: Record<string, string> = {
    ...options.headers,
    "content-type": "application/json",
    accept: "text/event-stream",
    ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
  };
  return {
    name: "openai",
    model,
    stream: (input: ModelInput) =>
      streamChat(input, {
        maxToolRounds: options.maxToolRounds ?? DEFAULT_MAX_TOOL_ROUNDS,
        async open({ messages, tools, signal }) {
          const response = await fetch(url, {
            method: "POST",
            headers,
            signal,
            body: JSON.stringify({
              model,
              // `name` on a tool message is Workers AI's; OpenAI's schema has no such field.
              messages: messages.map(({ name: _, ...message }) => message),
              stream: true,
              stream_options: { include_usage: true },
              ...(tools ? { tools } : {}),
            }),
          });
          if (!response.ok || !response.body) {
            await response.body?.cancel().catch(() => {});
            throw new UpstreamError(`the model endpoint answered ${response.status}`, response.status);
          }
          return response.body;
        },
      }),
  };
}

/**
 * The OpenAI-compatible endpoint the environment configures: `OPENAI_API_KEY`, `OPENAI_BASE_URL`, `OPENAI_MODEL`.
 * With neither a key nor a URL, a provider whose every turn apologizes and whose error names the key.
 * @throws {ConfigError} for a malformed `OPENAI_BASE_URL`.
 */
export function openAiFromEnv(env: Record<string, unknown>): ModelProvider {
  const apiKey = envText(env, "OPENAI_API_KEY");
  const raw = envText(env, "OPENAI_BASE_URL");
  const model = envText(env, "OPENAI_MODEL") ?? DEFAULT_OPENAI_MODEL;
  let baseUrl: string | undefined;
  if (raw) {
    try {
      baseUrl = new URL(raw).toString().replace(/\/+$/, "");
    } catch {
      throw new ConfigError(
        `OPENAI_BASE_URL must be an absolute URL such as ${DEFAULT_OPENAI_BASE_URL} (got "${raw.slice(0, 60)}")`,
      );
    }
  }
  if (!apiKey && !baseUrl) {
    return missingModel("openai", model, "OPENAI_API_KEY is not set: add it to .env (local) or your platform's secrets");
  }
  return createOpenAiModel({ apiKey, baseUrl, model });
}
