import type { ModelProvider } from "../llm/types.ts";
import type { History, Message, TurnState } from "./history.ts";
import type { InterruptionContext } from "./events.ts";
import { errorFields, type Logger } from "./log.ts";
import { encodeFrame, type ResponseFrame, SSE_HEADERS } from "./sse.ts";

/** What {@link streamTurn} needs for one spoken turn. */
export interface TurnOptions {
  conversationId: string;
  turnId: string;
  history: History;
  log: Logger;
  /** Hands work that must outlive the response (the final history write) to the platform. */
  waitUntil: (work: Promise<unknown>) => void;
  /** A user turn: the model answers it. */
  reply?: {
    message: Message;
    interruption?: InterruptionContext;
    model: ModelProvider;
    system: string;
    /** Abort the model after this long without a delta. */
    timeoutMs: number;
    /** Spoken when the model fails or times out. */
    apology: string;
  };
  /** A fixed text to speak instead (the welcome); empty: just end the turn. */
  say?: string;
  now?: () => number;
}

const DISCONNECTED = Symbol("client disconnected");
const TIMED_OUT = Symbol("model timed out");

/**
 * Streams one turn as SSE: a `response.tts` frame per model delta the moment it arrives, `response.data` frames,
 * and always a final `response.end`, after errors and timeouts too (with the apology spoken first). The client's
 * disconnect (the stream's `cancel()`) aborts the model; what was generated is kept in history.
 *
 * Frames are enqueued pre-encoded into a plain `ReadableStream` rather than written through Hono's `streamSSE`:
 * one awaited write per frame cost a third of the turns per second under load.
 */
export function streamTurn(options: TurnOptions): Response {
  const abort = new AbortController();
  const { turnId } = options;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let open = true;

  const send = (frame: ResponseFrame) => {
    if (!open) return;
    try {
      controller.enqueue(encodeFrame(frame));
    } catch {
      open = false;
    }
  };
  const end = () => {
    send({ type: "response.end", turn_id: turnId });
    if (!open) return;
    open = false;
    try {
      controller.close();
    } catch { /* already cancelled */ }
  };

  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      const work = options.reply ? answer(options, options.reply, abort, send, end) : speak(options, send, end);
      options.waitUntil(
        work.catch((error) => {
          options.log.error("turn failed", { conversationId: options.conversationId, turnId, ...errorFields(error) });
          end();
        }),
      );
    },
    cancel() {
      open = false;
      abort.abort(DISCONNECTED);
    },
  });
  return new Response(body, { headers: SSE_HEADERS });
}

async function speak(options: TurnOptions, send: (frame: ResponseFrame) => void, end: () => void): Promise<void> {
  const text = options.say ?? "";
  if (text) send({ type: "response.tts", content: text, turn_id: options.turnId });
  end();
  if (!text) return;
  const state = await options.history.begin(options.conversationId);
  await options.history.finish(state, {
    role: "assistant",
    text,
    turnId: options.turnId,
    at: (options.now ?? Date.now)(),
  });
}

async function answer(
  options: TurnOptions,
  reply: NonNullable<TurnOptions["reply"]>,
  controller: AbortController,
  send: (frame: ResponseFrame) => void,
  end: () => void,
): Promise<void> {
  const { conversationId, turnId, log } = options;
  let state: TurnState | undefined;
  try {
    state = await options.history.begin(conversationId, reply.message, reply.interruption);
  } catch (error) {
    log.error("history unavailable: answering without it", { conversationId, turnId, ...errorFields(error) });
  }

  const aborted = new Promise<never>((_, reject) => {
    if (controller.signal.aborted) reject(controller.signal.reason);
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true });
  });
  aborted.catch(() => {});

  let lastDelta = Date.now();
  const watch = () => {
    const idle = Date.now() - lastDelta;
    if (idle >= reply.timeoutMs) controller.abort(TIMED_OUT);
    else timer = setTimeout(watch, reply.timeoutMs - idle);
  };
  let timer = setTimeout(watch, reply.timeoutMs);

  let text = "";
  const iterator = reply.model.stream({
    system: reply.system,
    messages: state?.doc.messages ?? [reply.message],
    signal: controller.signal,
  })[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = iterator.next();
      next.catch(() => {});
      const chunk = await Promise.race([next, aborted]);
      if (chunk.done) break;
      lastDelta = Date.now();
      if (typeof chunk.value === "string") {
        text += chunk.value;
        send({ type: "response.tts", content: chunk.value, turn_id: turnId });
      } else {
        send({ type: "response.data", content: chunk.value.data, turn_id: turnId });
      }
    }
  } catch (error) {
    const reason = controller.signal.reason;
    if (reason === DISCONNECTED) {
      log.info("turn interrupted", { conversationId, turnId });
    } else {
      const timedOut = reason === TIMED_OUT;
      log.warn(timedOut ? "model timed out" : "model failed", {
        conversationId,
        turnId,
        ...(timedOut ? { errorClass: "TimeoutError", timeoutMs: reply.timeoutMs } : errorFields(error)),
      });
      send({ type: "response.tts", content: reply.apology, turn_id: turnId });
    }
    if (!controller.signal.aborted) controller.abort(error);
    iterator.return?.()?.catch(() => {});
  } finally {
    clearTimeout(timer);
  }
  end();
  if (state && text) {
    await options.history.finish(state, { role: "assistant", text, turnId, at: (options.now ?? Date.now)() });
  }
}
