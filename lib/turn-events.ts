/**
 * What a turn reports: its metrics (one line per turn, for `onTurn` and the log) and its steps (for development
 * tools). Types only.
 * @module
 */
import type { ResponseFrame } from "./sse.ts";

/** One line per turn: what `onTurn` receives and what is logged. Ids only: no text, no metadata. */
export interface TurnMetrics {
  conversationId: string;
  turnId: string;
  type: "message" | "session.start";
  /** The model's provider and name (`openai`, `gpt-4.1-mini`), on turns the model answers. */
  provider?: string;
  model?: string;
  /** From the request's arrival to the model's first chunk. */
  timeToFirstTokenMs?: number;
  /** From the request's arrival to the first `response.tts` or `response.data` frame. */
  timeToFirstFrameMs?: number;
  /** From the request's arrival to `response.end`. */
  totalMs: number;
  inputTokens?: number;
  outputTokens?: number;
  /** The caller disconnected (barged in) before the reply ended. */
  interrupted: boolean;
  storeReads: number;
  storeWrites: number;
  /**
   * With `SPECULATIVE_HISTORY`, how the model started before the read: `cached` from this process's copy, which the
   * read confirmed; `restarted` when the read showed another writer's version (the first call was aborted).
   */
  historyStart?: "cached" | "restarted";
  /** The class of the error that ended the turn early (`TimeoutError` for a timeout). */
  errorClass?: string;
}

/**
 * One step of a turn, for development tools (the playground's timeline); `at` is milliseconds since the webhook
 * arrived. `metrics` comes last, once the reply is stored.
 */
export type TurnEvent = { at: number } & (
  | { step: "history"; historyKey: string; messages: number }
  | { step: "model"; model: string }
  | { step: "token" }
  | { step: "frame"; frame: ResponseFrame }
  | { step: "tool"; tool: string; args: unknown; filler?: string }
  | { step: "tool.result"; tool: string; result?: unknown; error?: string }
  | { step: "error"; errorClass: string }
  | { step: "stored" }
  | { step: "metrics"; metrics: TurnMetrics }
);
