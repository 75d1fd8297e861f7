import type { Message } from "../lib/message.ts";

/** Who and what a turn is about: passed to the model, its tools and the hooks. */
export interface TurnContext {
  conversationId: string;
  turnId: string;
  /** The webhook's `custom_metadata` (static agent metadata or per-session overrides). */
  metadata: Record<string, unknown>;
  fromPhoneNumber?: string;
  toPhoneNumber?: string;
  /** The custom headers selected by `WEBHOOK_HEADERS`, lower-cased names. */
  headers: Record<string, string>;
}

/** What a tool's `execute` gets besides its arguments and the turn's context. */
/** Most rounds of tool calls in one turn, unless a provider is told otherwise (`maxToolRounds`). */
export const DEFAULT_MAX_TOOL_ROUNDS = 4;

export interface ToolOptions {
  /**
   * Aborted when the caller barges in or the turn times out: stop the tool's work (pass it to `fetch`) and return.
   * The turn does not wait for a tool that ignores it.
   */
  signal: AbortSignal;
}

/** A JSON Schema object describing a tool's parameters. */
export type JsonSchema = Record<string, unknown>;

/**
 * A function the model may call. The provider passes it as a declaration, runs `execute` when the model asks,
 * feeds the result back and lets the model continue its reply.
 * @example
 * const weather: Tool<{ city: string }> = {
 *   name: "get_weather",
 *   description: "Current weather in a city",
 *   parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
 *   filler: "Let me check.",
 *   execute: async ({ city }, _context, { signal }) => ({ city, forecast: await forecast(city, { signal }) }),
 * };
 */
export interface Tool<Args = Record<string, unknown>> {
  /** Letters, digits, `_` and `-`, at most 64 characters. */
  name: string;
  description: string;
  /** JSON Schema of the arguments (an `object` schema). */
  parameters?: JsonSchema;
  /** Spoken while the tool runs, e.g. "One moment." */
  filler?: string;
  /**
   * Runs the tool; the result must be JSON-serializable. A throw is reported to the model as an error. `options.signal`
   * is the turn's: aborted on barge-in or timeout (a tool written for two parameters keeps working).
   */
  execute(args: Args, context: TurnContext, options: ToolOptions): unknown | Promise<unknown>;
}

/** A tool of any arguments, as lists of tools hold them (each tool reads its own arguments). */
// deno-lint-ignore no-explicit-any
export type AnyTool = Tool<any>;

/** What a model is asked for one turn. */
export interface ModelInput {
  /** The system prompt. */
  system: string;
  /** The conversation so far, oldest first, ending with the user's message. */
  messages: readonly Message[];
  /** Aborted when the caller barges in or the turn times out: stop and release the upstream request. */
  signal: AbortSignal;
  /** Functions the model may call. */
  tools?: readonly AnyTool[];
  context?: TurnContext;
}

/** Tokens a model reports for a request. */
export interface Usage {
  inputTokens?: number;
  outputTokens?: number;
}

/**
 * One piece of a streamed reply: text to speak, JSON for the browser client (a `response.data` frame),
 * or the tokens used (for the turn's log line).
 */
export type ModelChunk = string | { data: unknown } | { usage: Usage };

/**
 * The model seam: a provider streams the reply, delta by delta.
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
