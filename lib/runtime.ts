/**
 * The per-environment build of an agent backend: configuration, default model, store, history, replay guard and
 * agent-profile cache, resolved once per environment and shared by every handler.
 * @module
 */
import type { Context } from "hono";
import type { ModelProvider } from "../llm/types.ts";
import { createMemoryStore } from "../storage/memory.ts";
import { withStoreTimeout } from "../storage/timeout.ts";
import { createAgentCache } from "./agent-cache.ts";
import { type AgentConfig, checkConfig, type Env, readConfig } from "./config.ts";
import { createHistory } from "./history.ts";
import { createLogger, errorFields } from "./log.ts";
import { createReplayGuard } from "./replay.ts";
import type { AgentProfile, AgentRuntime, CreateAppOptions, FromEnv } from "./types.ts";

const MAX_CACHED_AGENTS = 1000;
const MAX_CACHED_AGENT_BYTES = 8 * 1024 * 1024;
/** Webhooks the in-memory replay guard remembers at most (about 100 bytes each). */
const REPLAY_MEMORY_KEYS = 100_000;
/** The environment of a request that has none (a Workers request without bindings, a runtime without `process`). */
const NO_ENV: Record<string, unknown> = {};

function strings(env: Record<string, unknown>): Env {
  const out: Env = {};
  for (const [name, value] of Object.entries(env)) if (typeof value === "string") out[name] = value;
  return out;
}

async function resolve<T>(value: FromEnv<T> | undefined, env: Record<string, unknown>, config: AgentConfig) {
  return typeof value === "function"
    ? await (value as (e: typeof env, c: AgentConfig) => T | Promise<T>)(env, config)
    : value;
}

/** The model an app uses when `createApp({ model })` gives none (`modelFromEnv`, or a Workers entry's own). */
export type DefaultModel = (env: Record<string, unknown>, config: AgentConfig) => ModelProvider;

/** Builds what every request of one environment shares. */
async function build(
  options: CreateAppOptions,
  rawEnv: Record<string, unknown>,
  defaultModel: DefaultModel,
): Promise<AgentRuntime> {
  const config = checkConfig({ ...readConfig(strings(rawEnv), options.development), ...options.config });
  const log = options.logger ?? createLogger(config.logLevel);
  const model = (await resolve(options.model, rawEnv, config)) ?? defaultModel(rawEnv, config);
  // Every store call is bounded: a store that never answers must not hold a turn or a background task.
  const store = withStoreTimeout((await resolve(options.store, rawEnv, config)) ?? createMemoryStore(), {
    timeoutMs: config.storeTimeoutMs,
  });
  const history = createHistory(store, {
    maxMessages: config.historyMaxMessages,
    maxBytes: config.historyMaxBytes,
    ttlSeconds: config.historyTtlSeconds,
    speculate: config.speculativeHistory,
  });
  if (config.mode === "development") {
    log.warn("development mode: a built-in webhook secret is accepted; never expose this server", {
      model: `${model.name}/${model.model}`,
    });
  } else if (config.webhookSecrets.length === 0) {
    log.error("LAYERCODE_WEBHOOK_SECRET is not set: every webhook is refused until you add it to your secrets");
  }
  // Per conversation and metadata (two tenants may reuse one conversation_id), keyed by a digest of both.
  const agents = createAgentCache<AgentProfile>({ maxEntries: MAX_CACHED_AGENTS, maxBytes: MAX_CACHED_AGENT_BYTES });
  const agentFor: AgentRuntime["agentFor"] = (event) => {
    const resolveAgent = options.resolveAgent;
    if (!resolveAgent) return Promise.resolve(undefined);
    return agents.get(event.conversationId, event.customMetadata, () => resolveAgent(event));
  };
  let hasExecutionContext: boolean | undefined;
  const background = (work: Promise<unknown>) => {
    work.catch((error) => log.error("background work failed", errorFields(error)));
  };
  return {
    config,
    model,
    store,
    history,
    hooks: options.hooks ?? {},
    tools: options.tools ?? [],
    agentFor,
    log,
    now: options.now ?? Date.now,
    traces: new WeakMap(),
    // On by default where it is sound: an atomic store (in memory, one process). REPLAY_PROTECTION=false turns it off.
    replay: (config.replayProtection ?? store.atomic)
      ? createReplayGuard({
        // In memory, replay keys get their own bounded map, so that a busy minute never evicts conversations.
        store: store.name === "memory" ? createMemoryStore({ maxKeys: REPLAY_MEMORY_KEYS }) : store,
        ttlSeconds: 2 * config.signatureToleranceSeconds,
        onError: (error) =>
          log.warn("replay guard unavailable: processing the webhook", { store: store.name, ...errorFields(error) }),
      })
      : undefined,
    waitUntil(c) {
      if (options.waitUntil) return options.waitUntil;
      if (hasExecutionContext === false) return background;
      try {
        const ctx = c.executionCtx;
        hasExecutionContext = true;
        return (work) => ctx.waitUntil(work);
      } catch {
        // Deno, Bun and Node keep running after the response. Hono throws when there is no execution context:
        // a runtime either always passes one (Workers, Vercel) or never does, so ask once.
        hasExecutionContext = false;
        return background;
      }
    },
  };
}

/**
 * Resolves an app's runtime once per environment object: an `env` object is one environment, an `env` function
 * (Workers' bindings) returns the environment of each request. A build that fails is tried again next request.
 * `options.env` is ignored: the caller resolves it (app/create-app.ts, which knows the platform's default), and
 * gives the model used when `options.model` gives none.
 */
export function createRuntime(
  options: CreateAppOptions,
  platform: { env: NonNullable<CreateAppOptions["env"]>; defaultModel: DefaultModel },
): (c: Context) => Promise<AgentRuntime> {
  const { env, defaultModel } = platform;
  const cache = new WeakMap<object, Promise<AgentRuntime>>();
  const envOf = typeof env === "function" ? env : () => env;
  return (c) => {
    const environment = envOf(c) ?? NO_ENV;
    let found = cache.get(environment);
    if (!found) {
      found = build(options, environment, defaultModel);
      found.catch(() => cache.delete(environment));
      cache.set(environment, found);
    }
    return found;
  };
}

const runtimes = new WeakMap<object, (c: Context) => Promise<AgentRuntime>>();

/** Records the runtime behind an app, for {@link runtimeOf}. */
export function attachRuntime(app: object, runtime: (c: Context) => Promise<AgentRuntime>): void {
  runtimes.set(app, runtime);
}

/** The runtime behind an app made by `createApp`, for development tools mounted beside it (handlers/dev.ts). */
export function runtimeOf(app: object): ((c: Context) => Promise<AgentRuntime>) | undefined {
  return runtimes.get(app);
}
