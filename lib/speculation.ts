/**
 * A model call started before the history read confirmed what it was given (`SPECULATIVE_HISTORY`): its request
 * goes out at once, its chunks wait until the turn adopts it (the read confirmed the copy) or aborts it (the read
 * showed another writer's version). Nothing of it reaches the caller unless it is adopted.
 * @module
 */
import type { ModelChunk, ModelInput, ModelProvider } from "../llm/types.ts";
import type { Message } from "./message.ts";

/** A model call on a guess of the conversation. */
export interface Speculation {
  /** What the model was given. */
  messages: readonly Message[];
  /** Its chunks, the first of them already asked for: iterate only once the guess is confirmed. */
  stream: AsyncIterableIterator<ModelChunk>;
  /** Drops it: the upstream request is aborted and what it sent is never read. */
  abort(): void;
}

/**
 * Starts `model` on `input` now, under its own abort signal that `signal` (the turn's) also aborts. Resolves nothing
 * and sends nothing: the first chunk is requested at once (that is what sends an async generator's request) and kept.
 */
export function speculate(model: ModelProvider, input: Omit<ModelInput, "signal">, signal: AbortSignal): Speculation | undefined {
  if (signal.aborted) return undefined;
  const own = new AbortController();
  const follow = () => own.abort(signal.reason);
  signal.addEventListener("abort", follow, { once: true });
  let iterator: AsyncIterator<ModelChunk>;
  try {
    iterator = model.stream({ ...input, signal: own.signal })[Symbol.asyncIterator]();
  } catch {
    signal.removeEventListener("abort", follow);
    return undefined; // the turn asks again, and reports the error the usual way
  }
  let first: Promise<IteratorResult<ModelChunk>> | undefined = iterator.next();
  first.catch(() => {}); // read by the turn once adopted; dropped with the rest otherwise
  const close = (value?: unknown) => {
    signal.removeEventListener("abort", follow);
    return iterator.return ? iterator.return(value) : Promise.resolve({ done: true as const, value: undefined });
  };
  const stream: AsyncIterableIterator<ModelChunk> = {
    next() {
      if (first === undefined) return iterator.next();
      const pending = first;
      first = undefined;
      return pending;
    },
    return: (value?: unknown) => close(value),
    [Symbol.asyncIterator]() {
      return stream;
    },
  };
  return {
    messages: input.messages,
    stream,
    abort() {
      own.abort(new DOMException("another writer changed the conversation: the model is asked again", "AbortError"));
      close().catch(() => {});
    },
  };
}

/** Whether two conversations say the same (role, turn and text of each message, in order). */
export function sameMessages(a: readonly Message[], b: readonly Message[]): boolean {
  return a.length === b.length && a.every((m, i) => m.role === b[i].role && m.turnId === b[i].turnId && m.text === b[i].text);
}
