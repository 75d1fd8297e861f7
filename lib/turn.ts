import type { ModelChunk, ModelProvider, Tool, TurnContext } from "../llm/types.ts";
import type { History, Message, TurnState } from "./history.ts";
import type { InterruptionContext } from "./events.ts";
import { errorFields, type Logger } from "./log.ts";
import { encodeFrame, type ResponseFrame, SSE_HEADERS } from "./sse.ts";
import { withTimeout } from "./timeout.ts";
import { createVoiceSanitizer } from "./voice.ts";

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

/** What {@link streamTurn} needs for one spoken turn. */
export interface TurnOptions {
  context: TurnContext;
  /** The conversation's key in history (namespaced per agent when several share a store). */
  historyKey: string;
  history: History;
  log: Logger;
  /** Hands work that must outlive the response (the final history write) to the platform. */
  waitUntil: (work: Promise<unknown>) => void;
  /**
   * The incoming request's abort signal: a client cancel interrupts the turn like the stream's `cancel()`, whichever
   * comes first (current workerd reports a disconnect only here, with `enable_request_signal`). Listened to only
   * while the turn streams: Deno also aborts it after every complete response.
   */
  signal?: AbortSignal;
  /** A user turn: the model answers it. */
  reply?: {
    message: Message;
    interruption?: InterruptionContext;
    model: ModelProvider;
    system: string;
    // deno-lint-ignore no-explicit-any
    tools?: readonly Tool<any>[];
    /** Abort the model after this long without a chunk. */
    timeoutMs: number;
    /** Spoken when the model fails or times out. */
    apology: string;
    /** Strip markdown, emoji and URL syntax from what is spoken. @default true */
    voiceSafe?: boolean;
  };
  /** A fixed text to speak instead (the welcome); empty: just end the turn. */
  say?: string;
  /** Called with the turn's metrics once it is stored. */
  onTurn?: (metrics: TurnMetrics) => void | Promise<void>;
  /** When the request arrived, in `performance.now()` milliseconds. */
  startedAt?: number;
  now?: () => number;
  /** Told each step of the turn as it happens (development tools only: it sees the text). */
  trace?: (event: TurnEvent) => void;
}

const DISCONNECTED = Symbol("client disconnected");
const TIMED_OUT = Symbol("model timed out");
/**
 * The first bytes of every turn's stream, enqueued at once: an SSE comment line, which parsers skip. Bun sends the
 * response headers only with the first chunk, so without it a slow model would hold the headers back too.
 */
const OPENING = new TextEncoder().encode(":\n\n");
/** Longest wait for the conversation's history before a turn is answered without it. */
const HISTORY_TIMEOUT_MS = 3000;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The frames of one turn, and what the turn's metrics need to know of them. */
interface Output {
  send(frame: ResponseFrame): void;
  mark(event: DistributiveOmit<TurnEvent, "at">): void;
  end(): void;
  metrics: TurnMetrics;
  startedAt: number;
}

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
  const startedAt = options.startedAt ?? performance.now();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let open = true;
  const metrics: TurnMetrics = {
    conversationId,
    turnId,
    type: options.reply ? "message" : "session.start",
    ...(options.reply ? { provider: options.reply.model.name, model: options.reply.model.model } : {}),
    totalMs: 0,
    interrupted: false,
    storeReads: 0,
    storeWrites: 0,
  };

  const trace = options.trace;
  const output: Output = {
    metrics,
    startedAt,
    mark(event) {
      trace?.({ ...event, at: performance.now() - startedAt } as TurnEvent);
    },
    send(frame) {
      if (!open) return;
      if (trace) output.mark({ step: "frame", frame });
      if (metrics.timeToFirstFrameMs === undefined && frame.type !== "response.end") {
        metrics.timeToFirstFrameMs = performance.now() - startedAt;
      }
      try {
        controller.enqueue(encodeFrame(frame));
      } catch {
        open = false;
      }
    },
    end() {
      if (!open) return;
      output.send({ type: "response.end", turn_id: turnId });
      metrics.totalMs = performance.now() - startedAt;
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
      metrics.totalMs = performance.now() - startedAt;
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
      const work = options.reply ? answer(options, options.reply, abort, output) : speak(options, output);
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

async function report(options: TurnOptions, metrics: TurnMetrics): Promise<void> {
  for (const key of Object.keys(metrics) as (keyof TurnMetrics)[]) {
    const value = metrics[key];
    if (typeof value === "number" && !Number.isInteger(value)) (metrics as unknown as Record<string, number>)[key] = Math.round(value * 10) / 10;
  }
  options.log.info("turn", { ...metrics });
  try {
    await options.onTurn?.(metrics);
  } catch (error) {
    options.log.error("onTurn hook failed", { conversationId: metrics.conversationId, ...errorFields(error) });
  }
}

function count(metrics: TurnMetrics, state: TurnState | undefined): void {
  if (!state) return;
  metrics.storeReads = state.ops.reads;
  metrics.storeWrites = state.ops.writes;
}

async function speak(options: TurnOptions, output: Output): Promise<void> {
  const { turnId } = options.context;
  const text = options.say ?? "";
  if (text) output.send({ type: "response.tts", content: text, turn_id: turnId });
  output.end();
  if (!text) return;
  const reply: Message = { role: "assistant", text, turnId, at: (options.now ?? Date.now)() };
  await store(options, output, async () => {
    const state = await options.history.begin(options.historyKey);
    output.mark({ step: "history", historyKey: options.historyKey, messages: state.doc.messages.length });
    await options.history.finish(state, reply);
    return state;
  });
}

/** Stores the turn's reply after `response.end`; a store that fails or times out loses this reply only. */
async function store(options: TurnOptions, output: Output, write: () => Promise<TurnState>): Promise<void> {
  let state: TurnState | undefined;
  try {
    state = await write();
    output.mark({ step: "stored" });
  } catch (error) {
    output.metrics.errorClass ??= errorFields(error).errorClass as string;
    const { conversationId, turnId } = options.context;
    options.log.error("history write failed: the reply is not stored", { conversationId, turnId, ...errorFields(error) });
  }
  count(output.metrics, state);
}

async function answer(
  options: TurnOptions,
  reply: NonNullable<TurnOptions["reply"]>,
  controller: AbortController,
  output: Output,
): Promise<void> {
  const { log, context } = options;
  const { conversationId, turnId } = context;
  const { metrics, send } = output;
  let state: TurnState | undefined;
  try {
    // A store that never answers must not hold the turn: past the bound, answer without history.
    state = await withTimeout(
      options.history.begin(options.historyKey, reply.message, reply.interruption),
      Math.min(reply.timeoutMs, HISTORY_TIMEOUT_MS),
    );
  } catch (error) {
    metrics.errorClass = errorFields(error).errorClass as string;
    output.mark({ step: "error", errorClass: metrics.errorClass });
    log.error("history unavailable: answering without it", { conversationId, turnId, ...errorFields(error) });
  }

  const aborted = new Promise<never>((_, reject) => {
    if (controller.signal.aborted) reject(controller.signal.reason);
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
  });
  aborted.catch(() => {});
  if (state) output.mark({ step: "history", historyKey: options.historyKey, messages: state.doc.messages.length });

  let lastChunk = Date.now();
  const watch = () => {
    const idle = Date.now() - lastChunk;
    if (idle >= reply.timeoutMs) controller.abort(TIMED_OUT);
    else timer = setTimeout(watch, reply.timeoutMs - idle);
  };
  let timer = setTimeout(watch, reply.timeoutMs);

  let text = "";
  const voice = reply.voiceSafe === false ? undefined : createVoiceSanitizer();
  const say = (delta: string) => {
    if (!delta) return;
    text += delta;
    send({ type: "response.tts", content: delta, turn_id: turnId });
  };
  let iterator: AsyncIterator<ModelChunk> | undefined;
  try {
    output.mark({ step: "model", model: `${reply.model.name}/${reply.model.model}` });
    iterator = reply.model.stream({
      system: reply.system,
      messages: state?.doc.messages ?? [reply.message],
      signal: controller.signal,
      tools: options.trace ? reply.tools?.map((tool) => traced(tool, output)) : reply.tools,
      context,
    })[Symbol.asyncIterator]();
    for (;;) {
      const next = iterator.next();
      next.catch(() => {});
      const chunk = await Promise.race([next, aborted]);
      if (chunk.done) break;
      lastChunk = Date.now();
      if (metrics.timeToFirstTokenMs === undefined) output.mark({ step: "token" });
      metrics.timeToFirstTokenMs ??= performance.now() - output.startedAt;
      const value = chunk.value;
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
    const reason = controller.signal.reason;
    if (voice) say(voice.flush());
    if (reason === DISCONNECTED) {
      log.info("turn interrupted", { conversationId, turnId });
    } else {
      const timedOut = reason === TIMED_OUT;
      const fields = timedOut ? { errorClass: "TimeoutError", timeoutMs: reply.timeoutMs } : errorFields(error);
      metrics.errorClass = fields.errorClass as string;
      output.mark({ step: "error", errorClass: metrics.errorClass });
      log.warn(timedOut ? "model timed out" : "model failed", { conversationId, turnId, ...fields });
      send({ type: "response.tts", content: reply.apology, turn_id: turnId });
    }
    if (!controller.signal.aborted) controller.abort(error);
    iterator?.return?.()?.catch(() => {});
  } finally {
    clearTimeout(timer);
  }
  output.end();
  const stored: Message = { role: "assistant", text, turnId, at: (options.now ?? Date.now)() };
  if (state && text) await store(options, output, () => options.history.finish(state, stored).then(() => state));
  else count(metrics, state);
}

/** A tool whose calls and results are traced. */
// deno-lint-ignore no-explicit-any
function traced(tool: Tool<any>, output: Output): Tool<any> {
  return {
    ...tool,
    async execute(args, context, options) {
      output.mark({ step: "tool", tool: tool.name, args, filler: tool.filler });
      try {
        const result = await tool.execute(args, context, options);
        output.mark({ step: "tool.result", tool: tool.name, result });
        return result;
      } catch (error) {
        output.mark({ step: "tool.result", tool: tool.name, error: String((error as Error)?.message ?? error) });
        throw error;
      }
    },
  };
}
