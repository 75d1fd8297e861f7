import type { AgentConfig } from "../lib/config.ts";
import { ConfigError } from "../lib/errors.ts";
import { createGeminiModel } from "./gemini.ts";
import { createOfflineModel } from "./offline.ts";
import { createOpenAiModel, DEFAULT_OPENAI_BASE_URL, DEFAULT_OPENAI_MODEL } from "./openai.ts";
import type { ModelProvider } from "./types.ts";
import { createWorkersAiModel, DEFAULT_WORKERS_AI_MODEL, type WorkersAiBinding } from "./workers-ai.ts";

/** The providers `MODEL_PROVIDER` names. */
export const MODEL_PROVIDERS = ["gemini", "openai", "workers-ai"] as const;

/** One of {@link MODEL_PROVIDERS}. */
export type ModelProviderName = typeof MODEL_PROVIDERS[number];

/** What makes each provider present, as the message that refuses to guess names it. */
const PRESENT_WHEN: Record<ModelProviderName, string> = {
  gemini: "GOOGLE_GENERATIVE_AI_API_KEY",
  openai: "OPENAI_API_KEY (or OPENAI_BASE_URL)",
  "workers-ai": "the Workers AI binding AI",
};

const text = (env: Record<string, unknown>, name: string): string | undefined =>
  typeof env[name] === "string" ? (env[name] as string).trim() || undefined : undefined;

function isAiBinding(value: unknown): value is WorkersAiBinding {
  return typeof value === "object" && value !== null && typeof (value as WorkersAiBinding).run === "function";
}

/**
 * The provider the environment asks for: `MODEL_PROVIDER`, else the one whose key or binding is present
 * (`GOOGLE_GENERATIVE_AI_API_KEY`, `OPENAI_API_KEY` or `OPENAI_BASE_URL`, an `AI` binding), else none.
 * @throws {ConfigError} for an unknown `MODEL_PROVIDER`, and when two providers are present without it.
 */
export function chooseModelProvider(env: Record<string, unknown>): ModelProviderName | undefined {
  const named = text(env, "MODEL_PROVIDER")?.toLowerCase();
  if (named) {
    if ((MODEL_PROVIDERS as readonly string[]).includes(named)) return named as ModelProviderName;
    throw new ConfigError(`MODEL_PROVIDER must be ${MODEL_PROVIDERS.join(", ")} (got "${named.slice(0, 20)}")`);
  }
  const present = MODEL_PROVIDERS.filter((name) =>
    name === "gemini"
      ? text(env, "GOOGLE_GENERATIVE_AI_API_KEY")
      : name === "openai"
      ? text(env, "OPENAI_API_KEY") || text(env, "OPENAI_BASE_URL")
      : isAiBinding(env.AI)
  );
  if (present.length > 1) {
    throw new ConfigError(
      `${present.map((name) => PRESENT_WHEN[name]).join(" and ")} are all set: ` +
        `choose one with MODEL_PROVIDER (${present.join(" or ")})`,
    );
  }
  return present[0];
}

/** A provider that cannot run: every turn fails with a `ConfigError` saying what to set (the apology is spoken). */
function missing(name: string, model: string, message: string): ModelProvider {
  return {
    name,
    model,
    stream() {
      throw new ConfigError(message);
    },
  };
}

function baseUrl(env: Record<string, unknown>): string | undefined {
  const raw = text(env, "OPENAI_BASE_URL");
  if (!raw) return undefined;
  try {
    return new URL(raw).toString().replace(/\/+$/, "");
  } catch {
    throw new ConfigError(
      `OPENAI_BASE_URL must be an absolute URL such as ${DEFAULT_OPENAI_BASE_URL} (got "${raw.slice(0, 60)}")`,
    );
  }
}

/**
 * The model the environment configures, when `createApp({ model })` gives none: Gemini
 * (`GOOGLE_GENERATIVE_AI_API_KEY`, `GEMINI_MODEL`, `GEMINI_BASE_URL`), an OpenAI-compatible endpoint (`OPENAI_API_KEY`,
 * `OPENAI_BASE_URL`, `OPENAI_MODEL`) or Workers AI (the `AI` binding, `WORKERS_AI_MODEL`), chosen by
 * {@link chooseModelProvider}. With none present, development mode answers with the offline agent.
 * @throws {ConfigError} as {@link chooseModelProvider} does, and for a malformed `OPENAI_BASE_URL`.
 */
export function modelFromEnv(env: Record<string, unknown>, config: AgentConfig): ModelProvider {
  const choice = chooseModelProvider(env);
  if (choice === "openai") {
    const apiKey = text(env, "OPENAI_API_KEY");
    const url = baseUrl(env);
    const model = text(env, "OPENAI_MODEL") ?? DEFAULT_OPENAI_MODEL;
    if (!apiKey && !url) {
      return missing("openai", model, "OPENAI_API_KEY is not set: add it to .env (local) or your platform's secrets");
    }
    return createOpenAiModel({ apiKey, baseUrl: url, model });
  }
  if (choice === "workers-ai") {
    const model = text(env, "WORKERS_AI_MODEL") ?? DEFAULT_WORKERS_AI_MODEL;
    if (!isAiBinding(env.AI)) {
      return missing(
        "workers-ai",
        model,
        'the Workers AI binding is missing: add [ai] binding = "AI" to wrangler.toml',
      );
    }
    return createWorkersAiModel({ ai: env.AI, model });
  }
  if (config.geminiApiKey) {
    return createGeminiModel({ apiKey: config.geminiApiKey, model: config.geminiModel, baseUrl: config.geminiBaseUrl });
  }
  if (config.mode === "development" && !choice) return createOfflineModel();
  return missing(
    "gemini",
    config.geminiModel,
    "GOOGLE_GENERATIVE_AI_API_KEY is not set: add it to .env (local) or your platform's secrets",
  );
}
