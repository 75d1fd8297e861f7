import { ConfigError } from "./errors.ts";
import { HISTORY_DEFAULTS as HISTORY } from "./history.ts";
import { isLogLevel, type LogLevel } from "./log.ts";
import { redactCredentials } from "./redact.ts";

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
  /**
   * `SPECULATIVE_HISTORY=true`: a turn of a conversation this process wrote last asks the model from its cached copy
   * at once, while the read confirms it (restarted on the fresh history before any frame when it does not). It pays
   * for one server process on a remote store whose replay check costs no round trip. @default false
   */
  speculativeHistory: boolean;
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
  /**
   * `REPLAY_PROTECTION`: a webhook seen before (remembered in the store) is answered without being processed.
   * Unset: on when the store's compare-and-set is atomic (memory, Deno KV, Redis, Upstash, Durable Objects);
   * `false` turns it off, `true` turns it on for any store. @default on for atomic stores
   */
  replayProtection?: boolean;
  /** `BODY_TIMEOUT_MS`: a request body must arrive within this long, else 408. @default 10000 */
  bodyTimeoutMs: number;
  /** `SESSION_END_MAX_BODY_BYTES`: the body limit of `session.end` (it carries the call's transcript). @default 2097152 */
  sessionEndMaxBodyBytes: number;
  /** `STORE_TIMEOUT_MS`: the longest wait for one store call; past it the call counts as failed. @default 3000 */
  storeTimeoutMs: number;
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

/** `true`, `false`, or `undefined` when unset. */
function flag(env: Env, name: string): boolean | undefined {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return undefined;
  if (raw === "true") return true;
  if (raw === "false") return false;
  throw new ConfigError(`${name} must be true or false (got "${raw.slice(0, 20)}")`);
}

function integer(env: Env, name: string, fallback: number, min: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(
      `${name} must be a whole number of at least ${min} (got "${redactCredentials(raw.slice(0, 20))}")`,
    );
  }
  return value;
}

function url(env: Env, name: string, fallback?: string): string | undefined {
  const raw = env[name]?.trim() || fallback;
  if (raw === undefined) return undefined;
  try {
    return new URL(raw).toString().replace(/\/+$/, "");
  } catch {
    throw new ConfigError(
      `${name} must be an absolute URL such as https://example.com (got "${redactCredentials(raw.slice(0, 60))}")`,
    );
  }
}

function logLevel(env: Env): LogLevel {
  const level = env.LOG_LEVEL?.trim().toLowerCase() || "info";
  if (!isLogLevel(level)) {
    throw new ConfigError(
      `LOG_LEVEL must be debug, info, warn, error or silent (got "${redactCredentials(level.slice(0, 20))}")`,
    );
  }
  return level;
}

/**
 * The secrets of `LAYERCODE_WEBHOOK_SECRET`, comma separated. Unset is none; set, every piece must be a secret: an
 * empty value or an empty piece (`a,,b`, a trailing comma) is a mistake that would otherwise be read as "no secret".
 */
function webhookSecrets(env: Env): string[] {
  const raw = env.LAYERCODE_WEBHOOK_SECRET;
  if (raw === undefined) return [];
  const pieces = raw.split(",").map((s) => s.trim());
  if (pieces.some((piece) => piece === "")) {
    throw new ConfigError(
      pieces.length === 1
        ? "LAYERCODE_WEBHOOK_SECRET is set but empty: set your webhook secret, or remove the variable (development mode)"
        : "LAYERCODE_WEBHOOK_SECRET holds an empty secret between its commas: list secrets as new,old with no empty piece",
    );
  }
  return pieces;
}

/**
 * Checks settings given in code (`createApp({ config })`) as the environment's are checked when read.
 * @throws {ConfigError} naming the setting.
 */
export function checkConfig(config: AgentConfig): AgentConfig {
  const secrets: unknown = config.webhookSecrets;
  if (!Array.isArray(secrets) || secrets.some((secret) => typeof secret !== "string" || secret.trim() === "")) {
    throw new ConfigError(
      "config.webhookSecrets (LAYERCODE_WEBHOOK_SECRET) must be a list of non-empty secrets: an empty one verifies nothing",
    );
  }
  if (!isLogLevel(config.logLevel)) {
    throw new ConfigError("config.logLevel (LOG_LEVEL) must be debug, info, warn, error or silent");
  }
  return config;
}

/** The Gemini model when `GEMINI_MODEL` (or `createGeminiModel`'s `model`) says nothing. */
export const DEFAULT_GEMINI_MODEL = "gemini-2.5-flash-lite";

/**
 * Reads the configuration from environment variables or bindings, checking every value. All problems are reported
 * at once, one per variable.
 * @param development run in development mode (only local server entries ask for it)
 * @throws {ConfigError} naming each variable and the expected form.
 */
export function readConfig(env: Env, development = false): AgentConfig {
  const problems: string[] = [];
  function read<T>(what: () => T, fallback: T): T {
    try {
      return what();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(error.message);
      return fallback;
    }
  }
  const secrets = read(() => webhookSecrets(env), []);
  const config: AgentConfig = {
    mode: development ? "development" : "production",
    webhookSecrets: secrets.length === 0 && development ? [DEVELOPMENT_WEBHOOK_SECRET] : secrets,
    signatureToleranceSeconds: read(() => integer(env, "SIGNATURE_TOLERANCE_SECONDS", 300, 1), 300),
    maxBodyBytes: read(() => integer(env, "MAX_BODY_BYTES", 262_144, 1024), 262_144),
    geminiApiKey: env.GOOGLE_GENERATIVE_AI_API_KEY?.trim() || undefined,
    geminiModel: env.GEMINI_MODEL?.trim() || DEFAULT_GEMINI_MODEL,
    geminiBaseUrl: read(() => url(env, "GEMINI_BASE_URL"), undefined),
    systemPrompt: env.SYSTEM_PROMPT?.trim() || DEFAULT_SYSTEM_PROMPT,
    welcomeMessage: env.WELCOME_MESSAGE ?? DEFAULTS.welcomeMessage,
    apologyMessage: env.APOLOGY_MESSAGE?.trim() || DEFAULTS.apologyMessage,
    modelTimeoutMs: read(() => integer(env, "MODEL_TIMEOUT_MS", 20_000, 1), 20_000),
    layercodeApiKey: env.LAYERCODE_API_KEY?.trim() || undefined,
    layercodeApiUrl: read(() => url(env, "LAYERCODE_API_URL", "https://api.layercode.com")!, ""),
    corsOrigins: list(env.CORS_ORIGINS),
    historyMaxMessages: read(() => integer(env, "HISTORY_MAX_MESSAGES", HISTORY.maxMessages, 2), HISTORY.maxMessages),
    historyMaxBytes: read(() => integer(env, "HISTORY_MAX_BYTES", HISTORY.maxBytes, 1024), HISTORY.maxBytes),
    historyTtlSeconds: read(() => integer(env, "HISTORY_TTL_SECONDS", HISTORY.ttlSeconds, 60), HISTORY.ttlSeconds),
    speculativeHistory: read(() => flag(env, "SPECULATIVE_HISTORY"), undefined) ?? false,
    deleteOnSessionEnd: env.DELETE_ON_SESSION_END?.trim().toLowerCase() === "true",
    logLevel: read(() => logLevel(env), "info"),
    webhookHeaders: list(env.WEBHOOK_HEADERS).map((name) => name.toLowerCase()),
    agentIds: list(env.LAYERCODE_AGENT_IDS),
    voiceSafeOutput: env.VOICE_SAFE_OUTPUT?.trim().toLowerCase() !== "false",
    replayProtection: read(() => flag(env, "REPLAY_PROTECTION"), undefined),
    bodyTimeoutMs: read(() => integer(env, "BODY_TIMEOUT_MS", 10_000, 100), 10_000),
    sessionEndMaxBodyBytes: read(() => integer(env, "SESSION_END_MAX_BODY_BYTES", 2_097_152, 1024), 2_097_152),
    storeTimeoutMs: read(() => integer(env, "STORE_TIMEOUT_MS", 3000, 10), 3000),
  };
  if (problems.length === 1) throw new ConfigError(problems[0]);
  if (problems.length > 1) throw new ConfigError(`${problems.length} settings are invalid: ${problems.join("; ")}`);
  return config;
}

/** Where a local server listens, and whether it runs in development mode. */
export interface ServeConfig {
  hostname: string;
  port: number;
  development: boolean;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

/**
 * Whether a `Host` value (a name or address, with or without a port) names this machine: `localhost`, a
 * `*.localhost` name, `127.0.0.0/8` or `[::1]`. Anything else, malformed values included, is not loopback.
 * @example
 * isLoopbackHost("127.0.0.1:8787"); // true
 * isLoopbackHost("my-agent.example.com"); // false
 */
export function isLoopbackHost(host: string): boolean {
  if (!/^[A-Za-z0-9.\-:[\]]{1,300}$/.test(host)) return false;
  let hostname: string;
  try {
    hostname = new URL(`http://${host}`).hostname.replace(/\.$/, "");
  } catch {
    return false;
  }
  return hostname === "localhost" || hostname.endsWith(".localhost") || hostname === "[::1]" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

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

/** The URL of a local server: an IPv6 host in brackets (`http://[::1]:8787`). */
export function serverUrl(hostname: string, port: number): string {
  return `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
}

/** The line a local server prints once it listens. */
export function listeningMessage(runtime: string, url: string, development: boolean): string {
  const mode = development
    ? "development mode: webhook secret " + JSON.stringify(DEVELOPMENT_WEBHOOK_SECRET) +
      ', offline agent unless a model key is set (README: Models). Try: npm run simulate -- "Hello"'
    : "production mode";
  return `Layercode agent on ${runtime} listening on ${url} (${mode})`;
}
