import type { ConversationStore, SetOptions, Versioned } from "./types.ts";

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** Most keys kept; the least recently used goes first. @default 10000 */
  maxKeys?: number;
  /**
   * Most memory held by keys and values, counted as two bytes per character (how engines hold most strings);
   * past it the least recently written go first, so that long post-call summaries cannot pile up. @default 67108864 (64 MiB)
   */
  maxBytes?: number;
  /** Current time in milliseconds. @default Date.now */
  now?: () => number;
}

interface Entry {
  value: string;
  version: number;
  expiresAt: number;
  bytes: number;
}

/** The memory store: a {@link ConversationStore} that also tells how many keys it holds. */
export interface MemoryStore extends ConversationStore {
  /** Keys held now, expired ones not yet swept included (every write sweeps the expired ones it meets first). */
  readonly size: number;
  /** Bytes held now by keys and values (two per character). */
  readonly bytes: number;
}

/**
 * An in-process store: the default, for local development and single-process servers.
 * Bounded in keys and bytes, with expiry; lost on restart and not shared between edge isolates.
 * @example
 * createApp({ store: createMemoryStore({ maxKeys: 1000 }) });
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const maxKeys = options.maxKeys ?? 10_000;
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  let bytes = 0;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  let nextVersion = 1;

  function remove(key: string): void {
    const entry = entries.get(key);
    if (!entry) return;
    bytes -= entry.bytes;
    entries.delete(key);
  }

  function live(key: string): Entry | undefined {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= now()) {
      remove(key);
      return undefined;
    }
    return entry;
  }

  return {
    name: "memory",
    atomic: true,
    get size() {
      return entries.size;
    },
    get bytes() {
      return bytes;
    },
    get(key: string): Promise<Versioned | null> {
      const entry = live(key);
      return Promise.resolve(entry ? { value: entry.value, version: String(entry.version) } : null);
    },
    set(key: string, value: string, { expected, ttlSeconds }: SetOptions): Promise<string | null> {
      const current = live(key);
      if ((current ? String(current.version) : null) !== expected) return Promise.resolve(null);
      const version = nextVersion++;
      const time = now();
      remove(key);
      const entry = { value, version, expiresAt: time + ttlSeconds * 1000, bytes: 2 * (key.length + value.length) };
      entries.set(key, entry);
      bytes += entry.bytes;
      // Every write re-inserts its key, so the first keys are the least recently written: evict and expire from there.
      for (const [oldest, entry] of entries) {
        if (entries.size <= maxKeys && bytes <= maxBytes && entry.expiresAt > time) break;
        if (oldest === key) break; // the value just written stays, even alone over the bound
        remove(oldest);
      }
      return Promise.resolve(String(version));
    },
    delete(key: string): Promise<void> {
      remove(key);
      return Promise.resolve();
    },
  };
}
