/**
 * The guards of a turn: a bounded wait ({@link withTimeout}) and an idle timeout over an async iterable that honours
 * an `AbortSignal` ({@link idleTimeout}). Each gives up as soon as it trips, even on work that never settles.
 * @module
 */

/** A timeout, as `AbortSignal.timeout()` reports one: a `DOMException` named `TimeoutError`. */
export function timeoutError(message: string): DOMException {
  return new DOMException(message, "TimeoutError");
}

/** Whether an error is a timeout (a guard's, or `AbortSignal.timeout()`'s). */
export function isTimeout(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === "TimeoutError";
}

/**
 * `work`, or a `TimeoutError` after `ms`; the timer never outlives the wait, a late failure of `work` is ignored.
 * The timer is armed only after three microtask turns: already settled work (an in-memory store's answer) has
 * settled by then and needs none, which saves a timer per store call (on Deno one costs several microseconds).
 */
export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let settled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new Promise<T>((resolve, reject) => {
    work.then(resolve, reject).finally(() => {
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
    });
    Promise.resolve().then().then().then(() => {
      if (!settled) timer = setTimeout(() => reject(timeoutError(`no answer in ${ms} ms`)), ms);
    });
  });
}

/** Options of {@link idleTimeout}. */
export interface IdleTimeoutOptions {
  /** Longest wait for the next item, from the start or from the previous item. */
  timeoutMs: number;
  /** Ends the iteration at once with the signal's reason. */
  signal?: AbortSignal;
  /** Current time in milliseconds; must advance with real time. @default Date.now */
  now?: () => number;
}

/**
 * Iterates `source`, rejecting the pending `next()` with a `TimeoutError` once no item came for `timeoutMs`, or
 * with the signal's reason once `signal` aborts, even when the source never answers. It does not stop the source:
 * abort what feeds it (and call `return()`) on the way out. One timer per `timeoutMs` of silence, not one per item.
 */
export function idleTimeout<T>(source: AsyncIterable<T>, options: IdleTimeoutOptions): AsyncIterableIterator<T> {
  const { timeoutMs, signal } = options;
  const now = options.now ?? Date.now;
  const iterator = source[Symbol.asyncIterator]();
  let last = now();
  let ended = false;
  let tripped = false;
  let reason: unknown;
  let reject: ((reason: unknown) => void) | undefined;

  const end = () => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  };
  const trip = (why: unknown) => {
    if (ended) return;
    tripped = true;
    reason = why;
    end();
    reject?.(why);
  };
  const onAbort = () => trip(signal!.reason);
  const watch = () => {
    const idle = now() - last;
    if (idle >= timeoutMs) trip(timeoutError(`no chunk in ${timeoutMs} ms`));
    else timer = setTimeout(watch, timeoutMs - idle);
  };
  let timer: ReturnType<typeof setTimeout> = setTimeout(watch, timeoutMs);
  if (signal?.aborted) trip(signal.reason);
  else signal?.addEventListener("abort", onAbort, { once: true });

  const guarded: AsyncIterableIterator<T> = {
    next() {
      if (tripped) return Promise.reject(reason);
      if (ended) return Promise.resolve({ done: true, value: undefined });
      return new Promise<IteratorResult<T>>((resolve, fail) => {
        reject = fail;
        iterator.next().then((result) => {
          if (result.done) end();
          else last = now();
          resolve(result);
        }, (error) => {
          end();
          fail(error);
        });
      });
    },
    return(value?: unknown) {
      end();
      return iterator.return ? iterator.return(value) : Promise.resolve({ done: true, value: undefined });
    },
    [Symbol.asyncIterator]() {
      return guarded;
    },
  };
  return guarded;
}
