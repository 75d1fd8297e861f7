/** How much of a backend's own error message a {@link StoreError} repeats (some echo the command, values included). */
const MAX_CAUSE_CHARS = 200;

function describe(cause: unknown): string {
  const text = cause instanceof Error ? cause.message || cause.name : String(cause);
  return text.length > MAX_CAUSE_CHARS ? `${text.slice(0, MAX_CAUSE_CHARS)}…` : text;
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

  constructor(store: string, operation: string, cause: unknown) {
    super(`${store} store: ${operation} failed: ${describe(cause)}`, { cause });
    this.store = store;
    this.operation = operation;
  }
}

/** Runs one backend operation, turning any failure into a {@link StoreError}. */
export async function guard<T>(store: string, operation: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw error instanceof StoreError ? error : new StoreError(store, operation, error);
  }
}
