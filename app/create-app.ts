import { Hono } from "hono";
import type { Context } from "hono";
import { modelFromEnv } from "../llm/from-env.ts";
import type { ModelProvider, Tool, TurnContext } from "../llm/types.ts";
import { createMemoryStore } from "../storage/memory.ts";
import { withStoreTimeout } from "../storage/timeout.ts";
import type { ConversationStore } from "../storage/types.ts";
import { createAgentCache } from "../lib/agent-cache.ts";
import { type AgentConfig, checkConfig, type Env, isLoopbackHost, readConfig } from "../lib/config.ts";
import { ConfigError, HttpError } from "../lib/errors.ts";
import type {
  DataEvent,
  MessageEvent,
  SessionEndEvent,
  SessionStartEvent,
  SessionUpdateEvent,
  WebhookEvent,
} from "../lib/events.ts";
import { createHistory, type History } from "../lib/history.ts";
import { createLogger, errorFields, type Logger } from "../lib/log.ts";
import { redactCredentials } from "../lib/redact.ts";
import { createReplayGuard, type ReplayGuard } from "../lib/replay.ts";
import type { TurnEvent, TurnMetrics } from "../lib/turn.ts";
import { agentHandler } from "../handlers/agent.ts";
import { authorizeCors, authorizeHandler } from "../handlers/authorize.ts";
import { healthHandler } from "../handlers/health.ts";

/** What `session.end` hands to its hook: the call, ready for post-call processing. */
export interface SessionSummary {
  conversationId: string;
  agentId?: string;
  startedAt?: string;
  endedAt?: string;
  durationMs: number | null;
  /** Layercode's transcript of the call. */
  transcript: SessionEndEvent["transcript"];
  /** Latency figures Layercode reports (`latency`, `transcription_duration_seconds`, `tts_duration_seconds`). */
  latency: { latency?: number; transcriptionSeconds?: number; ttsSeconds?: number };
  metadata: Record<string, unknown>;
}

/** What hooks receive besides the event: the store (to keep summaries) and the conversation's history. */
export interface HookContext {
  store: ConversationStore;
  history: History;
  /** The conversation's key in history (namespaced per agent when `resolveAgent` is used). */
  historyKey: string;
  context: TurnContext;
}

/** One agent of a multi-tenant backend, chosen per conversation by `resolveAgent`. */
export interface AgentProfile {
  /** Namespaces this agent's conversations in the store, so that tenants never share history. */
  id: string;
  /** System prompt (templates such as `{{metadata.firstName}}` allowed). */
  systemPrompt?: string;
  /** Welcome (templates allowed); empty: stay silent. */
  welcome?: string;
  model?: ModelProvider;
  // deno-lint-ignore no-explicit-any
  tools?: readonly Tool<any>[];
}

/** What a user customizes without forking. Every hook may be async. */
export interface AgentHooks {
  /**
   * The system prompt of a turn, used as returned: no `{{…}}` template is expanded in it, so that a caller's value
   * (a name of `{{headers.x-token}}`) can never pull in anything else. A throw ends the turn with the apology.
   * @default the agent's, else config.systemPrompt (both with templates)
   */
  systemPrompt?: (event: MessageEvent, context: HookContext) => string | Promise<string>;
  /**
   * The welcome spoken on `session.start`, used as returned (no template expanded); empty: stay silent. A throw
   * ends the turn with the apology. @default the agent's, else config.welcomeMessage (both with templates)
   */
  welcome?: (event: SessionStartEvent, context: HookContext) => string | Promise<string>;
  /** Answers a `data` event; the result is sent as JSON. @default `{ "received": true }` */
  onData?: (event: DataEvent, context: HookContext) => unknown;
  /** Post-call processing, run after the 2xx answer. */
  onSessionEnd?: (summary: SessionSummary, event: SessionEndEvent, context: HookContext) => void | Promise<void>;
  /** A recording finished (its URL is `event.recordingUrl`), run after the 2xx answer. */
  onSessionUpdate?: (event: SessionUpdateEvent, context: HookContext) => void | Promise<void>;
  /** Metrics of every spoken turn, for your own telemetry. */
  onTurn?: (metrics: TurnMetrics) => void | Promise<void>;
  /**
   * Decides what `/authorize` forwards to Layercode. `body` is the browser's (untrusted) JSON object, and `request`
   * a copy of the browser's request whose body can still be read; return the body to send (`agent_id`,
   * `conversation_id`, `metadata`, `config`), or throw an `HttpError` (401, 403) to refuse. Return a
   * `conversation_id` only for a conversation this caller may resume: whoever resumes one has its history read to
   * the agent.
   * @default forwards `agent_id` and `metadata` only (no `conversation_id`: Layercode starts a new conversation)
   */
  authorizeSession?: (request: Request, body: Record<string, unknown>) => AuthorizeBody | Promise<AuthorizeBody>;
}

/** The body `/authorize` sends to Layercode's `authorize_session`. */
export interface AuthorizeBody {
  agent_id: string;
  conversation_id?: string;
  metadata?: Record<string, unknown>;
  config?: {
    session_webhook?: {
      url?: string;
      events?: string[];
      custom_metadata?: Record<string, unknown>;
      custom_headers?: Record<string, string>;
    };
    [key: string]: unknown;
  };
}

/** A value, or a function of the platform's environment (Workers bindings, `process.env`, `Deno.env`). */
export type FromEnv<T> = T | ((env: Record<string, unknown>, config: AgentConfig) => T | Promise<T>);

/** Options of {@link createApp}; each overrides what the environment says. */
export interface CreateAppOptions {
  /** Settings over those read from the environment. */
  config?: Partial<AgentConfig>;
  /** The environment to read instead of the platform's (Hono's `env()`). */
  env?: Record<string, unknown>;
  /** Development mode: only local server entries turn it on. @default false */
  development?: boolean;
  /** The model. @default `modelFromEnv()`: `MODEL_PROVIDER`, else the provider whose key or binding is set */
  model?: FromEnv<ModelProvider>;
  /** Where conversations live. @default an in-memory store */
  store?: FromEnv<ConversationStore>;
  hooks?: AgentHooks;
  /** Functions the model may call (see `Tool`). */
  // deno-lint-ignore no-explicit-any
  tools?: readonly Tool<any>[];
  /**
   * Chooses the agent of a conversation (prompt, welcome, model, tools, history namespace) from its event; cached per
   * conversation and metadata. A throw ends a spoken turn with the apology.
   */
  resolveAgent?: (event: MessageEvent | SessionStartEvent | SessionEndEvent | DataEvent) => AgentProfile | Promise<AgentProfile>;
  /** Keeps work alive after the response (Vercel's `waitUntil`); Workers' `ctx.waitUntil` is found by itself. */
  waitUntil?: (work: Promise<unknown>) => void;
  logger?: Logger;
  /** Current time in milliseconds. @default Date.now */
  now?: () => number;
}

/** Everything a request needs, resolved once per environment. */
export interface AgentRuntime {
  config: AgentConfig;
  model: ModelProvider;
  store: ConversationStore;
  history: History;
  hooks: AgentHooks;
  // deno-lint-ignore no-explicit-any
  tools: readonly Tool<any>[];
  /** The agent of an event's conversation (cached per conversation). */
  agentFor: (event: Exclude<WebhookEvent, { type: "unknown" | "session.update" }>) => Promise<AgentProfile | undefined>;
  log: Logger;
  now: () => number;
  waitUntil: (c: Context) => (work: Promise<unknown>) => void;
  /** Remembers verified webhooks (on by default for atomic stores; `REPLAY_PROTECTION=false` turns it off). */
  replay?: ReplayGuard;
  /** Turn tracers of in-process requests, by request: only development tools (handlers/dev.ts) add any. */
  traces: WeakMap<Request, (event: TurnEvent) => void>;
}

const MAX_CACHED_AGENTS = 1000;
const MAX_CACHED_AGENT_BYTES = 8 * 1024 * 1024;
/** What a misconfigured backend answers: the detail is in its log, never in an answer to whoever asked. */
const CONFIG_ERROR_ANSWER = "the server is misconfigured: its log names the setting to fix";
/** Webhooks the in-memory replay guard remembers at most (about 100 bytes each). */
const REPLAY_MEMORY_KEYS = 100_000;
const WORKERS = typeof navigator !== "undefined" && navigator.userAgent === "Cloudflare-Workers";

/** `process.env` where the runtime has one (Bun, Node, Vercel, Deno 2), else nothing. */
function processEnv(): Record<string, unknown> {
  return (globalThis as { process?: { env?: Record<string, unknown> } }).process?.env ?? {};
}

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

const runtimes = new WeakMap<Hono, (c: Context) => Promise<AgentRuntime>>();

/** The runtime behind an app made by {@link createApp}, for development tools mounted beside it (handlers/dev.ts). */
export function runtimeOf(app: Hono): ((c: Context) => Promise<AgentRuntime>) | undefined {
  return runtimes.get(app);
}

/**
 * Creates the agent backend: `POST /agent` (Layercode webhooks), `POST /authorize`, `GET /health`.
 * @example
 * export default createApp({ hooks: { welcome: () => "Hello from my agent!" } });
 */
export function createApp(options: CreateAppOptions = {}): Hono {
  const cache = new WeakMap<object, Promise<AgentRuntime>>();
  const shared = {};

  async function build(rawEnv: Record<string, unknown>): Promise<AgentRuntime> {
    const config = checkConfig({ ...readConfig(strings(rawEnv), options.development), ...options.config });
    const log = options.logger ?? createLogger(config.logLevel);
    const model = (await resolve(options.model, rawEnv, config)) ?? modelFromEnv(rawEnv, config);
    // Every store call is bounded: a store that never answers must not hold a turn or a background task.
    const store = withStoreTimeout((await resolve(options.store, rawEnv, config)) ?? createMemoryStore(), {
      timeoutMs: config.storeTimeoutMs,
    });
    const history = createHistory(store, {
      maxMessages: config.historyMaxMessages,
      maxBytes: config.historyMaxBytes,
      ttlSeconds: config.historyTtlSeconds,
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
   * Resolves the runtime once per environment: Workers pass their bindings with each request, the other runtimes
   * have one `process.env` (Deno's entry passes `Deno.env` as `options.env`).
   */
  function runtime(c: Context): Promise<AgentRuntime> {
    const workers = !options.env && WORKERS && typeof c.env === "object" && c.env !== null;
    const key: object = workers ? c.env as object : shared;
    let found = cache.get(key);
    if (!found) {
      const env = options.env ?? (workers ? c.env as Record<string, unknown> : processEnv());
      found = build(env);
      found.catch(() => cache.delete(key));
      cache.set(key, found);
    }
    return found;
  }

  const app = new Hono();
  runtimes.set(app, runtime);
  if (options.development) {
    // Development mode accepts a public webhook secret: only this machine may talk to it, not a tunnel, a proxy or
    // a DNS-rebinding page. Every name the request gives for the host it wants must be a loopback name.
    app.use("*", async (c, next) => {
      const forwarded = c.req.header("forwarded")?.match(/(?:^|[;,\s])host="?([^";,\s]+)/i)?.[1];
      const hosts = [c.req.header("host") ?? new URL(c.req.url).host, c.req.header("x-forwarded-host"), forwarded];
      const foreign = hosts.find((host) => host !== undefined && !isLoopbackHost(host.trim()));
      if (foreign === undefined) return next();
      return c.json({
        error: `development mode answers only loopback hosts (localhost, 127.0.0.1, [::1]), not ${
          JSON.stringify(foreign.slice(0, 100))
        }: set LAYERCODE_WEBHOOK_SECRET to serve it, which turns development mode off`,
      }, 403);
    });
  }
  app.post("/agent", agentHandler(runtime));
  app.use("/authorize", authorizeCors(runtime));
  app.post("/authorize", authorizeHandler(runtime));
  app.get("/health", healthHandler(runtime));
  app.all("/agent", (c) => c.json({ error: "use POST for /agent" }, 405, { allow: "POST" }));
  app.all("/authorize", (c) => c.json({ error: "use POST for /authorize" }, 405, { allow: "POST, OPTIONS" }));
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${new URL(c.req.url).pathname}` }, 404));
  app.onError((error, c) => {
    if (error instanceof HttpError) return c.json({ error: error.message }, error.status as 400);
    if (error instanceof ConfigError) {
      console.error(JSON.stringify({ level: "error", message: redactCredentials(error.message) }));
      return c.json({ error: CONFIG_ERROR_ANSWER }, 500);
    }
    console.error(JSON.stringify({ level: "error", message: "unhandled error", ...errorFields(error) }));
    return c.json({ error: "internal error" }, 500);
  });
  return app;
}
