import { errorText } from "../lib/errors.ts";

/** How much of a backend's own error message a {@link StoreError} repeats (some echo the command, values included). */
const MAX_CAUSE_CHARS = 200;

function describe(cause: unknown): string {
  const text = errorText(cause);
  return text.length > MAX_CAUSE_CHARS ? `${text.slice(0, MAX_CAUSE_CHARS)}…` : text;
}

/** Options of {@link StoreError}. */
export interface StoreErrorOptions {
  /** The store's name, e.g. `redis`. */
  store: string;
  /** The operation that failed: `get`, `set` or `delete`. */
  operation: string;
  /** The backend's own error. */
  cause: unknown;
}

/**
 * A storage backend failed (unreachable, refused, over a limit). The message names the store and the operation;
 * `cause` holds the backend's own error.
 */
export class StoreError extends Error {
  override name = "StoreError";
  /** The store's name, e.g. `redis`. */
  readonly store: string;
  /** The operation that failed: `get`, `set` or `delete`. */
  readonly operation: string;

  constructor({ store, operation, cause }: StoreErrorOptions) {
    super(`${store} store: ${operation} failed: ${describe(cause)}`, { cause });
    this.store = store;
    this.operation = operation;
  }
}

/** Runs one operation of a store, turning any failure into a {@link StoreError}. */
export type Guard = <T>(operation: string, work: () => Promise<T>) => Promise<T>;

/** The {@link Guard} of the store named `store`. */
export function guardFor(store: string): Guard {
  return async (operation, work) => {
    try {
      return await work();
    } catch (cause) {
      throw cause instanceof StoreError ? cause : new StoreError({ store, operation, cause });
    }
  };
}
