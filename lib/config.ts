import { ConfigError } from "./errors.ts";
import { isLogLevel, type LogLevel } from "./log.ts";

/** Environment variables or Workers bindings, as strings. */
export type Env = Record<string, string | undefined>;

/** Everything the app reads from its environment; `createApp({ config })` overrides any of it. */
export interface AgentConfig {
  /** `development` (local only: a known webhook secret, the offline agent without a key) or `production`. */
  mode: "development" | "production";
  /** `LAYERCODE_WEBHOOK_SECRET`, comma separated during a rotation. Empty in production: every webhook is refused. */
  webhookSecrets: string[];
  /** `SIGNATURE_TOLERANCE_SECONDS`. @default 300 */
  signatureToleranceSeconds: number;
  /** `MAX_BODY_BYTES`: larger webhooks get 413. @default 262144 */
  maxBodyBytes: number;
  /** `GOOGLE_GENERATIVE_AI_API_KEY`. */
  geminiApiKey?: string;
  /** `GEMINI_MODEL`. @default "gemini-2.5-flash-lite" */
  geminiModel: string;
  /** `GEMINI_BASE_URL`: an AI gateway or another Gemini-compatible endpoint. */
  geminiBaseUrl?: string;
  /** `SYSTEM_PROMPT`. */
  systemPrompt: string;
  /** `WELCOME_MESSAGE`, spoken on `session.start`; empty: stay silent. */
  welcomeMessage: string;
  /** `APOLOGY_MESSAGE`, spoken when the model fails or times out. */
  apologyMessage: string;
  /** `MODEL_TIMEOUT_MS`: the model is aborted when it sends nothing for this long. @default 20000 */
  modelTimeoutMs: number;
  /** `LAYERCODE_API_KEY`, for `/authorize`. */
  layercodeApiKey?: string;
  /** `LAYERCODE_API_URL`. @default "https://api.layercode.com" */
  layercodeApiUrl: string;
  /** `CORS_ORIGINS` allowed to call `/authorize`, comma separated; `*` for any. Development adds localhost. */
  corsOrigins: string[];
  /** `HISTORY_MAX_MESSAGES` per conversation. @default 50 */
  historyMaxMessages: number;
  /** `HISTORY_MAX_BYTES` per conversation. @default 32768 */
  historyMaxBytes: number;
  /** `HISTORY_TTL_SECONDS` before an idle conversation expires. @default 43200 */
  historyTtlSeconds: number;
  /** `DELETE_ON_SESSION_END=true` forgets a conversation when its session ends. @default false */
  deleteOnSessionEnd: boolean;
  /** `LOG_LEVEL`. @default "info" */
  logLevel: LogLevel;
  /** `WEBHOOK_HEADERS`: custom webhook headers handed to hooks and tools, comma separated. @default none */
  webhookHeaders: string[];
  /** `LAYERCODE_AGENT_IDS`: the only agent ids `/authorize` accepts, comma separated. @default any */
  agentIds: string[];
  /** `VOICE_SAFE_OUTPUT=false` speaks the model's text as it comes, markdown and emoji included. @default true */
  voiceSafeOutput: boolean;
  /** `REPLAY_PROTECTION=true`: a webhook seen before (remembered in the store) is answered without being processed. @default false */
  replayProtection: boolean;
}

/** The webhook secret of development mode, shared with `scripts/chat.ts`. Never accepted in production. */
export const DEVELOPMENT_WEBHOOK_SECRET = "dev-only-webhook-secret";

/** The default system prompt: written for speech. */
export const DEFAULT_SYSTEM_PROMPT = "You are a friendly, helpful voice assistant. Your replies are spoken aloud, " +
  "so answer in short, natural sentences. Never use markdown, lists, headings, code, emoji or symbols. " +
  "Spell out what would be read strangely, and keep most answers to two or three sentences.";

const DEFAULTS = {
  welcomeMessage: "Hi there! How can I help you today?",
  apologyMessage: "Sorry, I ran into a problem. Could you say that again?",
};

function list(value: string | undefined): string[] {
  return (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);
}

function integer(env: Env, name: string, fallback: number, min: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(`${name} must be a whole number of at least ${min} (got "${raw.slice(0, 20)}")`);
  }
  return value;
}

function url(env: Env, name: string, fallback?: string): string | undefined {
  const raw = env[name]?.trim() || fallback;
  if (raw === undefined) return undefined;
  try {
    return new URL(raw).toString().replace(/\/+$/, "");
  } catch {
    throw new ConfigError(`${name} must be an absolute URL such as https://example.com (got "${raw.slice(0, 60)}")`);
  }
}

/**
 * Reads the configuration from environment variables or bindings, checking every value.
 * @param development run in development mode (only local server entries ask for it)
 * @throws {ConfigError} naming the variable and the expected form.
 */
export function readConfig(env: Env, development = false): AgentConfig {
  const logLevel = env.LOG_LEVEL?.trim().toLowerCase() || "info";
  if (!isLogLevel(logLevel)) throw new ConfigError(`LOG_LEVEL must be debug, info, warn, error or silent`);
  const secrets = list(env.LAYERCODE_WEBHOOK_SECRET);
  return {
    mode: development ? "development" : "production",
    webhookSecrets: secrets.length === 0 && development ? [DEVELOPMENT_WEBHOOK_SECRET] : secrets,
    signatureToleranceSeconds: integer(env, "SIGNATURE_TOLERANCE_SECONDS", 300, 1),
    maxBodyBytes: integer(env, "MAX_BODY_BYTES", 262_144, 1024),
    geminiApiKey: env.GOOGLE_GENERATIVE_AI_API_KEY?.trim() || undefined,
    geminiModel: env.GEMINI_MODEL?.trim() || "gemini-2.5-flash-lite",
    geminiBaseUrl: url(env, "GEMINI_BASE_URL"),
    systemPrompt: env.SYSTEM_PROMPT?.trim() || DEFAULT_SYSTEM_PROMPT,
    welcomeMessage: env.WELCOME_MESSAGE ?? DEFAULTS.welcomeMessage,
    apologyMessage: env.APOLOGY_MESSAGE?.trim() || DEFAULTS.apologyMessage,
    modelTimeoutMs: integer(env, "MODEL_TIMEOUT_MS", 20_000, 1),
    layercodeApiKey: env.LAYERCODE_API_KEY?.trim() || undefined,
    layercodeApiUrl: url(env, "LAYERCODE_API_URL", "https://api.layercode.com")!,
    corsOrigins: list(env.CORS_ORIGINS),
    historyMaxMessages: integer(env, "HISTORY_MAX_MESSAGES", 50, 2),
    historyMaxBytes: integer(env, "HISTORY_MAX_BYTES", 32_768, 1024),
    historyTtlSeconds: integer(env, "HISTORY_TTL_SECONDS", 43_200, 60),
    deleteOnSessionEnd: env.DELETE_ON_SESSION_END?.trim().toLowerCase() === "true",
    logLevel,
    webhookHeaders: list(env.WEBHOOK_HEADERS).map((name) => name.toLowerCase()),
    agentIds: list(env.LAYERCODE_AGENT_IDS),
    voiceSafeOutput: env.VOICE_SAFE_OUTPUT?.trim().toLowerCase() !== "false",
    replayProtection: env.REPLAY_PROTECTION?.trim().toLowerCase() === "true",
  };
}

/** Where a local server listens, and whether it runs in development mode. */
export interface ServeConfig {
  hostname: string;
  port: number;
  development: boolean;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

/**
 * Reads `HOST` (default 127.0.0.1) and `PORT` (default 8787) for a local server. Development mode is on only when
 * no webhook secret is set, the server listens on loopback, `NODE_ENV` is not `production`, and this is not Deno Deploy.
 */
export function readServeConfig(env: Env): ServeConfig {
  const hostname = env.HOST?.trim() || "127.0.0.1";
  const port = integer(env, "PORT", 8787, 0);
  if (port > 65535) throw new ConfigError("PORT must be at most 65535");
  const development = !env.LAYERCODE_WEBHOOK_SECRET?.trim() && LOOPBACK.has(hostname) &&
    env.NODE_ENV !== "production" && !env.DENO_DEPLOYMENT_ID;
  return { hostname, port, development };
}

/** The line a local server prints once it listens. */
export function listeningMessage(runtime: string, url: string, development: boolean): string {
  const mode = development
    ? "development mode: webhook secret " + JSON.stringify(DEVELOPMENT_WEBHOOK_SECRET) +
      ', offline agent unless GOOGLE_GENERATIVE_AI_API_KEY is set. Try: npm run simulate -- "Hello"'
    : "production mode";
  return `Layercode agent on ${runtime} listening on ${url} (${mode})`;
}
