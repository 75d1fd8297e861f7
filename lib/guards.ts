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
 * Microtask turns a wait is given to settle before its timer is armed: a promise that is already settled (an
 * in-memory store's answer, a body already received) settles its `then` in one or two, and then costs no timer at
 * all. On Deno a timer costs several microseconds, more than the whole wait on such a store.
 */
const SETTLE_TURNS = 3;

/**
 * `work`, or a `TimeoutError` after `ms`; the timer never outlives the wait, a late failure of `work` is ignored.
 * Work that settles within a few microtask turns never arms a timer; other work is bounded by `ms` from then on.
 */
export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    work.then((value) => {
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      resolve(value);
    }, (error: unknown) => {
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      reject(error);
    });
    let turns = 0;
    const arm = () => {
      if (settled) return;
      if (++turns < SETTLE_TURNS) queueMicrotask(arm);
      else timer = setTimeout(() => reject(timeoutError(`no answer in ${ms} ms`)), ms);
    };
    queueMicrotask(arm);
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

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * Iterates `source`, rejecting the pending `next()` with a `TimeoutError` once no item came for `timeoutMs`, or
 * with the signal's reason once `signal` aborts, even when the source never answers. It does not stop the source:
 * abort what feeds it (and call `return()`) on the way out. One timer per `timeoutMs` of silence, not one per item,
 * and per item no closure: the handlers of the pending `next()` are made once.
 */
export function idleTimeout<T>(source: AsyncIterable<T>, options: IdleTimeoutOptions): AsyncIterableIterator<T> {
  const { timeoutMs, signal } = options;
  const now = options.now ?? Date.now;
  const iterator = source[Symbol.asyncIterator]();
  let last = now();
  let ended = false;
  let tripped = false;
  let reason: unknown;
  // The pending next()'s settlers; a next() called while one is pending waits for it first.
  let resolve: ((result: IteratorResult<T>) => void) | undefined;
  let reject: ((reason: unknown) => void) | undefined;
  let pending: Promise<IteratorResult<T>> | undefined;

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
    const fail = reject;
    resolve = reject = pending = undefined;
    fail?.(why);
  };
  const onAbort = () => trip(signal!.reason);
  const watch = () => {
    const idle = now() - last;
    if (idle >= timeoutMs) trip(timeoutError(`no chunk in ${timeoutMs} ms`));
    else timer = setTimeout(watch, timeoutMs - idle);
  };
  const onItem = (result: IteratorResult<T>) => {
    if (result.done) end();
    else last = now();
    const ok = resolve;
    resolve = reject = pending = undefined;
    ok?.(result);
  };
  const onError = (error: unknown) => {
    end();
    const fail = reject;
    resolve = reject = pending = undefined;
    fail?.(error);
  };
  const executor = (ok: (result: IteratorResult<T>) => void, fail: (reason: unknown) => void) => {
    resolve = ok;
    reject = fail;
  };
  let timer: ReturnType<typeof setTimeout> = setTimeout(watch, timeoutMs);
  if (signal?.aborted) trip(signal.reason);
  else signal?.addEventListener("abort", onAbort, { once: true });

  const guarded: AsyncIterableIterator<T> = {
    next(): Promise<IteratorResult<T>> {
      if (tripped) return Promise.reject(reason);
      if (ended) return Promise.resolve(DONE);
      if (pending) return pending.then(() => guarded.next(), () => guarded.next());
      pending = new Promise<IteratorResult<T>>(executor);
      iterator.next().then(onItem, onError);
      return pending;
    },
    return(value?: unknown) {
      end();
      return iterator.return ? iterator.return(value) : Promise.resolve(DONE);
    },
    [Symbol.asyncIterator]() {
      return guarded;
    },
  };
  return guarded;
}
