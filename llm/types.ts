import type { Message } from "../lib/history.ts";

/** What a model is asked for one turn. */
export interface ModelInput {
  /** The system prompt. */
  system: string;
  /** The conversation so far, oldest first, ending with the user's message. */
  messages: readonly Message[];
  /** Aborted when the caller barges in or the turn times out: stop and release the upstream request. */
  signal: AbortSignal;
}

/** One piece of a streamed reply: text to speak, or JSON for the browser client (a `response.data` frame). */
export type ModelChunk = string | { data: unknown };

/**
 * The model seam: a provider streams the reply as text deltas.
 * @example
 * const model: ModelProvider = { name: "echo", model: "echo", async *stream({ messages }) { yield messages.at(-1)!.text; } };
 */
export interface ModelProvider {
  /** Provider name, e.g. `gemini`. */
  readonly name: string;
  /** Model name, e.g. `gemini-2.5-flash-lite`. */
  readonly model: string;
  /** Streams the reply, delta by delta. */
  stream(input: ModelInput): AsyncIterable<ModelChunk>;
}
