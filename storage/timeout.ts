/**
 * A time bound on every call of a store: a store that never answers (a frozen Redis, a hung network) must not hold a
 * turn or a background task. Web-standard code only.
 * @module
 */
import { isTimeout, timeoutError, withTimeout } from "../lib/guards.ts";
import type { ConversationStore, SetOptions } from "./types.ts";

/** Options of {@link withStoreTimeout}. */
export interface StoreTimeoutOptions {
  /** The longest wait for one call, in milliseconds. @default 3000 */
  timeoutMs?: number;
}

/**
 * `store` with each `get`, `set` and `delete` bounded: past `timeoutMs` the call rejects with a `TimeoutError`
 * (`DOMException`) naming the store and the operation, and what the store does later is ignored. A `set` that timed out may still land;
 * every caller treats it as failed (compare-and-set keeps the data consistent either way).
 * @example
 * createApp({ store: withStoreTimeout(createRedisStore({ client }), { timeoutMs: 2000 }) });
 */
export function withStoreTimeout<S extends ConversationStore>(store: S, options: StoreTimeoutOptions = {}): S {
  const ms = options.timeoutMs ?? 3000;
  const bound = <T>(operation: string, work: () => Promise<T>): Promise<T> => {
    // Called at once (a store that answers from memory then needs no timer, see withTimeout); a throw is a rejection.
    let started: Promise<T>;
    try {
      started = work();
    } catch (error) {
      started = Promise.reject(error);
    }
    return withTimeout(started, ms).catch((error: unknown) => {
      if (!isTimeout(error)) throw error;
      throw timeoutError(`${store.name} store: ${operation} got no answer in ${ms} ms`);
    });
  };
  return Object.create(store, {
    get: { value: (key: string) => bound("get", () => store.get(key)) },
    set: { value: (key: string, value: string, set: SetOptions) => bound("set", () => store.set(key, value, set)) },
    delete: { value: (key: string) => bound("delete", () => store.delete(key)) },
  });
}
