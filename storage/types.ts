/** A stored value and the version it was read at (opaque, backend-specific). */
export interface Versioned {
  value: string;
  version: string;
}

/** Options of {@link ConversationStore.set}. */
export interface SetOptions {
  /** Write only while the key is still at this version (`null`: only while the key is absent). */
  expected: string | null;
  /** Expiry of the key, in seconds from now. */
  ttlSeconds: number;
}

/**
 * The storage contract: three operations on string values with optimistic concurrency.
 * Conversation semantics (append, dedupe, interruption rewrite, bounds) live above it, once,
 * in `lib/history.ts`, so they are the same on every backend.
 */
export interface ConversationStore {
  /** Short name shown by `/health` and logs, e.g. `memory`. */
  readonly name: string;
  /** `true` when {@link set} really checks `expected` atomically; `false` means last writer wins. */
  readonly atomic: boolean;
  /** The largest value (UTF-8 bytes) the backend takes, when it has a limit that matters (Deno KV: 64 KiB). */
  readonly maxValueBytes?: number;
  /** Reads a key, or `null` when it is absent or expired. */
  get(key: string): Promise<Versioned | null>;
  /** Writes a key if it is still at `options.expected`; resolves the new version, or `null` on a conflict. */
  set(key: string, value: string, options: SetOptions): Promise<string | null>;
  /** Deletes a key (absent keys are fine). */
  delete(key: string): Promise<void>;
}
