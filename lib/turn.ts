import type { AnyTool, ModelChunk, ModelInput, ModelProvider } from "../llm/types.ts";
import type { History, Recorded, TurnState } from "./history.ts";
import type { Message } from "./message.ts";
import type { InterruptionContext } from "./events.ts";
import { idleTimeout, isTimeout, withTimeout } from "./guards.ts";
import { errorFields } from "./log.ts";
import { createFrameEncoder, SSE_HEADERS } from "./sse.ts";
import type { TurnEvent, TurnMetrics } from "./turn-events.ts";
import { count, type Output, report, store, traced, type TurnSink } from "./turn-output.ts";
import { sameMessages, speculate } from "./speculation.ts";
import { createVoiceSanitizer } from "./voice.ts";

/** What every turn needs (its context, log and `onTurn` hook: {@link TurnSink}). */
interface TurnBase extends TurnSink {
  /** The conversation's key in history (namespaced per agent when several share a store). */
  historyKey: string;
  history: History;
  /** Hands work that must outlive the response (the final history write) to the platform. */
  waitUntil: (work: Promise<unknown>) => void;
  /**
   * The incoming request's abort signal: a client cancel interrupts the turn like the stream's `cancel()`, whichever
   * comes first (current workerd reports a disconnect only here, with `enable_request_signal`). Listened to only
   * while the turn streams: Deno also aborts it after every complete response.
   */
  signal?: AbortSignal;
  /** When the request arrived, on `now`'s clock. @default now() */
  startedAt?: number;
  /** The turn's one clock, in milliseconds: message times, durations, the model's idle timeout. @default Date.now */
  now?: () => number;
  /** Told each step of the turn as it happens (development tools only: it sees the text). */
  trace?: (event: TurnEvent) => void;
}

/** A user turn (`message`): the model answers the user's text. */
export interface ReplyTurn extends TurnBase {
  type: "message";
  /** What the user said; stored under the context's turn id. */
  text: string;
  interruption?: InterruptionContext;
  /**
   * The conversation's read, when the caller started it already (the handler starts it beside the replay check);
   * otherwise the turn reads it first. Either way it is the only store round trip before the model.
   */
  historyRead?: Promise<TurnState>;
  model: ModelProvider;
  system: string;
  tools?: readonly AnyTool[];
  /** Abort the model after this long without a chunk. */
  timeoutMs: number;
  /** Spoken when the model fails or times out. */
  apology: string;
  /** Strip markdown, emoji and URL syntax from what is spoken. @default true */
  voiceSafe?: boolean;
}

/** A fixed text to speak (`session.start`'s welcome); empty: just end the turn. */
export interface WelcomeTurn extends TurnBase {
  type: "session.start";
  text: string;
}

/** What {@link streamTurn} needs for one spoken turn: a reply of the model, or a fixed welcome. */
export type TurnOptions = ReplyTurn | WelcomeTurn;

const DISCONNECTED = Symbol("client disconnected");
/**
 * The first bytes of every turn's stream, enqueued at once: an SSE comment line, which parsers skip. Bun sends the
 * response headers only with the first chunk, so without it a slow model would hold the headers back too.
 */
const OPENING = new TextEncoder().encode(":\n\n");
/** Longest wait for the conversation's history before a turn is answered without it. */
const HISTORY_TIMEOUT_MS = 3000;

/**
 * Streams one turn as SSE: a `response.tts` frame per model delta the moment it arrives, `response.data` frames,
 * and always a final `response.end`, after errors and timeouts too (with the apology spoken first). The client's
 * disconnect (the stream's `cancel()` or the request's abort signal) aborts the model; what was generated is kept in
 * history.
 *
 * Frames are enqueued pre-encoded into a plain `ReadableStream` rather than written through Hono's `streamSSE`:
 * one awaited write per frame cost a third of the turns per second under load.
 */
export function streamTurn(options: TurnOptions): Response {
  const abort = new AbortController();
  const { conversationId, turnId } = options.context;
  const now = options.now ?? Date.now;
  const startedAt = options.startedAt ?? now();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let open = true;
  const metrics: TurnMetrics = {
    conversationId,
    turnId,
    type: options.type,
    ...(options.type === "message" ? { provider: options.model.name, model: options.model.model } : {}),
    totalMs: 0,
    interrupted: false,
    storeReads: 0,
    storeWrites: 0,
  };

  const trace = options.trace;
  const encode = createFrameEncoder(turnId);
  const output: Output = {
    metrics,
    startedAt,
    now,
    mark(event) {
      trace?.({ ...event, at: now() - startedAt } as TurnEvent);
    },
    send(frame) {
      if (!open) return;
      if (trace) output.mark({ step: "frame", frame });
      if (metrics.timeToFirstFrameMs === undefined && frame.type !== "response.end") {
        metrics.timeToFirstFrameMs = now() - startedAt;
      }
      try {
        controller.enqueue(encode(frame));
      } catch {
        open = false;
      }
    },
    end() {
      if (!open) return;
      output.send({ type: "response.end", turn_id: turnId });
      metrics.totalMs = now() - startedAt;
      open = false;
      options.signal?.removeEventListener("abort", disconnected);
      try {
        controller.close();
      } catch { /* already cancelled */ }
    },
  };

  const disconnected = () => {
    options.signal?.removeEventListener("abort", disconnected);
    if (open) {
      metrics.interrupted = true;
      metrics.totalMs = now() - startedAt;
    }
    open = false;
    abort.abort(DISCONNECTED);
    try {
      controller.close();
    } catch { /* already cancelled */ }
  };

  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      c.enqueue(OPENING.slice());
      if (options.signal?.aborted) disconnected();
      else options.signal?.addEventListener("abort", disconnected);
      const work = options.type === "message" ? answer(options, abort, output) : speak(options, output);
      options.waitUntil(
        work.catch((error) => {
          metrics.errorClass ??= errorFields(error).errorClass as string;
          options.log.error("turn failed", { conversationId, turnId, ...errorFields(error) });
          output.end();
        }).then(() => report(options, metrics)).then(() => output.mark({ step: "metrics", metrics })),
      );
    },
    cancel: disconnected,
  });
  return new Response(body, { headers: SSE_HEADERS });
}

async function speak(options: WelcomeTurn, output: Output): Promise<void> {
  const { turnId } = options.context;
  const { text } = options;
  if (text) output.send({ type: "response.tts", content: text, turn_id: turnId });
  output.end();
  if (!text) return;
  const reply = { role: "assistant" as const, text, turnId, at: output.now() };
  let state: TurnState | undefined;
  await store(options, output, () => "the reply is not stored", async () => {
    state = await options.history.read(options.historyKey);
    output.mark({ step: "history", historyKey: options.historyKey, messages: state.doc.messages.length });
    await options.history.finish(state, reply);
  });
  count(output.metrics, state);
}

/** Where a reply starts: the conversation as the model gets it, and the turn's pending write of the user's message. */
interface Start {
  state?: TurnState;
  recorded?: Recorded;
  messages: readonly Message[];
  /** The model's stream started speculatively from this process's copy, when the read confirmed that copy. */
  adopted?: AsyncIterable<ModelChunk>;
}

/**
 * Reads the conversation (the one store round trip before the model) and starts the user's message's write beside
 * the model; with `SPECULATIVE_HISTORY`, the model was asked already from this process's copy, and is asked again
 * if the read shows otherwise.
 */
async function start(
  options: ReplyTurn,
  controller: AbortController,
  output: Output,
  message: Message,
  input: (messages: readonly Message[]) => Omit<ModelInput, "signal">,
): Promise<Start> {
  const { log, history } = options;
  const { conversationId, turnId } = options.context;
  const { metrics } = output;
  // Zero round trips (SPECULATIVE_HISTORY): from the copy this process wrote last, while the read confirms it.
  const peeked = history.peek(options.historyKey);
  const guess = peeked && speculate(options.model, input(history.preview(peeked, message, options.interruption)), controller.signal);
  let state: TurnState | undefined;
  try {
    // A store that never answers must not hold the turn: past the bound, answer without history.
    state = await withTimeout(
      options.historyRead ?? history.read(options.historyKey),
      Math.min(options.timeoutMs, HISTORY_TIMEOUT_MS),
    );
  } catch (error) {
    metrics.errorClass = errorFields(error).errorClass as string;
    output.mark({ step: "error", errorClass: metrics.errorClass });
    log.error("history unavailable: answering without it", { conversationId, turnId, ...errorFields(error) });
  }
  // One round trip before the model: the user's message is written while the model streams, which reads it from
  // memory. The reply's write waits for that write and starts from the version it produced.
  let messages: readonly Message[] = [message];
  let recorded: Recorded | undefined;
  if (state) {
    recorded = history.record(state, message, options.interruption);
    recorded.stored.catch(() => {}); // awaited after response.end, where a failure is logged
    messages = recorded.messages;
    output.mark({ step: "history", historyKey: options.historyKey, messages: messages.length });
  }
  let adopted: AsyncIterable<ModelChunk> | undefined;
  if (guess) {
    // Exact: the model was given what the read gives it (the version may differ: writes still use the read's).
    const confirmed = state !== undefined && sameMessages(guess.messages, messages);
    if (confirmed) adopted = guess.stream;
    else guess.abort(); // before any frame: the model is asked again on what was read
    metrics.historyStart = confirmed ? "cached" : "restarted";
  }
  return { state, recorded, messages, adopted };
}

async function answer(options: ReplyTurn, controller: AbortController, output: Output): Promise<void> {
  const { log, context } = options;
  const { conversationId, turnId } = context;
  const { metrics, send } = output;
  // The user's message takes the turn's id from the context: one source for it.
  const message: Message = { role: "user", text: options.text, turnId, at: output.now() };
  const tools = options.trace ? options.tools?.map((tool) => traced(tool, output)) : options.tools;
  const input = (messages: readonly Message[]): Omit<ModelInput, "signal"> => ({ system: options.system, messages, tools, context });
  const { state, recorded, messages, adopted } = await start(options, controller, output, message, input);

  let text = "";
  const voice = options.voiceSafe === false ? undefined : createVoiceSanitizer();
  const say = (delta: string) => {
    if (!delta) return;
    text += delta;
    send({ type: "response.tts", content: delta, turn_id: turnId });
  };
  let chunks: AsyncIterableIterator<ModelChunk> | undefined;
  try {
    output.mark({ step: "model", model: `${options.model.name}/${options.model.model}` });
    const stream = adopted ?? options.model.stream({ ...input(messages), signal: controller.signal });
    // The model stops on the signal; the guard also stops waiting for one that does not.
    chunks = idleTimeout(stream, { timeoutMs: options.timeoutMs, signal: controller.signal, now: output.now });
    for await (const value of chunks) {
      if (metrics.timeToFirstTokenMs === undefined) {
        output.mark({ step: "token" });
        metrics.timeToFirstTokenMs = output.now() - output.startedAt;
      }
      if (typeof value === "string") {
        say(voice ? voice.push(value) : value);
      } else if ("data" in value) {
        send({ type: "response.data", content: value.data, turn_id: turnId });
      } else {
        metrics.inputTokens = (metrics.inputTokens ?? 0) + (value.usage.inputTokens ?? 0);
        metrics.outputTokens = (metrics.outputTokens ?? 0) + (value.usage.outputTokens ?? 0);
      }
    }
    if (voice) say(voice.flush());
  } catch (error) {
    if (voice) say(voice.flush());
    if (controller.signal.reason === DISCONNECTED) {
      log.info("turn interrupted", { conversationId, turnId });
    } else {
      const timedOut = isTimeout(error);
      const fields = timedOut ? { errorClass: "TimeoutError", timeoutMs: options.timeoutMs } : errorFields(error);
      metrics.errorClass = fields.errorClass as string;
      output.mark({ step: "error", errorClass: metrics.errorClass });
      log.warn(timedOut ? "model timed out" : "model failed", { conversationId, turnId, ...fields });
      send({ type: "response.tts", content: options.apology, turn_id: turnId });
    }
    if (!controller.signal.aborted) controller.abort(error);
    chunks?.return?.()?.catch(() => {});
  }
  output.end();
  if (recorded) {
    const { stored } = recorded;
    const ended = recorded.end(text ? { role: "assistant", text, turnId, at: output.now() } : undefined);
    ended.catch(() => {}); // awaited below, where a failure is logged
    let lost = text ? "neither the user's message nor the reply is stored" : "the user's message is not stored";
    await store(options, output, () => lost, async () => {
      await stored;
      lost = "the reply is not stored";
      await ended;
    });
  }
  count(metrics, state);
}
