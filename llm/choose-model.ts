/**
 * Which model provider the environment asks for, and opening it from the providers a build holds. Provider-free:
 * each provider's opener (`geminiFromEnv`, `openAiFromEnv`, `workersAiFromEnv`) comes in as an argument, so that a
 * bundle holds only the providers its entry passes (the Workers entries pass one each; llm/from-env.ts passes all).
 * @module
 */
import type { AgentConfig } from "../lib/config.ts";
import { envText } from "../lib/env.ts";
import { ConfigError } from "../lib/errors.ts";
import type { ModelProvider } from "./types.ts";

/** The providers `MODEL_PROVIDER` names. */
export const MODEL_PROVIDERS = ["gemini", "openai", "workers-ai"] as const;

/** One of {@link MODEL_PROVIDERS}. */
export type ModelProviderName = typeof MODEL_PROVIDERS[number];

/** Opens one provider from the environment; it never throws for a missing key (see {@link missingModel}). */
export type ModelOpener = (env: Record<string, unknown>, config: AgentConfig) => ModelProvider;

/** The providers a build holds, by name, and the development mode's offline agent where it may run. */
export type ModelOpeners = Partial<Record<ModelProviderName, ModelOpener>> & { offline?: () => ModelProvider };

/** What makes each provider present, as the message that refuses to guess names it. */
const PRESENT_WHEN: Record<ModelProviderName, string> = {
  gemini: "GOOGLE_GENERATIVE_AI_API_KEY",
  openai: "OPENAI_API_KEY (or OPENAI_BASE_URL)",
  "workers-ai": "the Workers AI binding AI",
};

/** Whether a binding looks like Workers AI's (`run()`). */
export function isAiBinding(value: unknown): value is { run: (...args: never[]) => unknown } {
  return typeof value === "object" && value !== null && typeof (value as { run?: unknown }).run === "function";
}

/**
 * The provider the environment asks for: `MODEL_PROVIDER`, else the one whose key or binding is present
 * (`GOOGLE_GENERATIVE_AI_API_KEY`, `OPENAI_API_KEY` or `OPENAI_BASE_URL`, an `AI` binding), else none.
 * @throws {ConfigError} for an unknown `MODEL_PROVIDER`, and when two providers are present without it.
 */
export function chooseModelProvider(env: Record<string, unknown>): ModelProviderName | undefined {
  const named = envText(env, "MODEL_PROVIDER")?.toLowerCase();
  if (named) {
    if ((MODEL_PROVIDERS as readonly string[]).includes(named)) return named as ModelProviderName;
    throw new ConfigError(`MODEL_PROVIDER must be ${MODEL_PROVIDERS.join(", ")} (got "${named.slice(0, 20)}")`);
  }
  const present = MODEL_PROVIDERS.filter((name) =>
    name === "gemini"
      ? envText(env, "GOOGLE_GENERATIVE_AI_API_KEY")
      : name === "openai"
      ? envText(env, "OPENAI_API_KEY") || envText(env, "OPENAI_BASE_URL")
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
export function missingModel(name: string, model: string, message: string): ModelProvider {
  return {
    name,
    model,
    stream() {
      throw new ConfigError(message);
    },
  };
}

/**
 * Opens the provider {@link chooseModelProvider} picks, from those the build holds. Without a choice: development
 * mode's offline agent where the build holds it, else Gemini's opener (or the only provider of a build without
 * Gemini), which names the key to set.
 * @param providers the openers this build holds
 * @param options.rebuild how to get a build that holds a provider left out, for the error (Workers: its entry file)
 * @throws {ConfigError} as {@link chooseModelProvider} does, and when the chosen provider is not in this build.
 */
export function openModel(
  env: Record<string, unknown>,
  config: AgentConfig,
  options: { providers: ModelOpeners; rebuild?: (name: ModelProviderName) => string },
): ModelProvider {
  const { providers } = options;
  const choice = chooseModelProvider(env);
  if (!choice && config.mode === "development" && providers.offline && !config.geminiApiKey) {
    return providers.offline();
  }
  const held = MODEL_PROVIDERS.filter((n) => providers[n]);
  // Without a choice: Gemini where the build holds it, else the build's own provider (whose opener names its key).
  const name = choice ?? (providers.gemini ? "gemini" : held[0] ?? "gemini");
  const open = providers[name];
  if (open) return open(env, config);
  const why = !choice ? "the default" : envText(env, "MODEL_PROVIDER") ? `MODEL_PROVIDER=${name}` : PRESENT_WHEN[name];
  throw new ConfigError(
    `${why} asks for the ${name} model provider, which this build leaves out (it holds ${held.join(", ") || "none"})` +
      (options.rebuild ? `: ${options.rebuild(name)}` : ""),
  );
}
