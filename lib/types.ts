/**
 * The public types of the agent backend: what `createApp` takes (options, hooks, agent profiles) and what its
 * handlers share per environment (`AgentRuntime`). Types only: every module may import this one.
 * @module
 */
import type { Context } from "hono";
import type { AnyTool, ModelProvider, TurnContext } from "../llm/types.ts";
import type { ConversationStore } from "../storage/types.ts";
import type { AgentConfig } from "./config.ts";
import type {
  DataEvent,
  MessageEvent,
  SessionEndEvent,
  SessionLatency,
  SessionStartEvent,
  SessionUpdateEvent,
  WebhookEvent,
} from "./events.ts";
import type { History } from "./history.ts";
import type { Logger } from "./log.ts";
import type { ReplayGuard } from "./replay.ts";
import type { TurnEvent, TurnMetrics } from "./turn-events.ts";

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
  latency: SessionLatency;
  metadata: Record<string, unknown>;
}

/** What hooks receive besides the event: the store (to keep summaries) and the conversation's history. */
export interface HookContext {
  store: ConversationStore;
  history: History;
  /** The conversation's key in history: its id under the agent's when `resolveAgent` is used (`historyKeyOf`). */
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
  tools?: readonly AnyTool[];
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
  /**
   * The environment: an object read once (`process.env`, `Deno.env.toObject()`), or a function of the request that
   * returns it (Workers' bindings `c.env`); the runtime is built once per object returned.
   * @default the request's bindings on Workers (Hono's `getRuntimeKey()`), the process's environment elsewhere
   */
  env?: Record<string, unknown> | ((c: Context) => Record<string, unknown> | undefined);
  /** Development mode: only local server entries turn it on. @default false */
  development?: boolean;
  /** The model. @default `modelFromEnv()`: `MODEL_PROVIDER`, else the provider whose key or binding is set */
  model?: FromEnv<ModelProvider>;
  /** Where conversations live. @default an in-memory store */
  store?: FromEnv<ConversationStore>;
  hooks?: AgentHooks;
  /** Functions the model may call (see `Tool`). */
  tools?: readonly AnyTool[];
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
  tools: readonly AnyTool[];
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
