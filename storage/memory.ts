import type { ConversationStore, SetOptions, Versioned } from "./types.ts";

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** Most keys kept; the least recently used goes first. @default 10000 */
  maxKeys?: number;
  /** Current time in milliseconds. @default Date.now */
  now?: () => number;
}

interface Entry {
  value: string;
  version: number;
  expiresAt: number;
}

/** The memory store: a {@link ConversationStore} that also tells how many keys it holds. */
export interface MemoryStore extends ConversationStore {
  /** Keys held now, expired ones not yet swept included (every write sweeps the expired ones it meets first). */
  readonly size: number;
}

/**
 * An in-process store: the default, for local development and single-process servers.
 * Bounded in keys, with expiry; lost on restart and not shared between edge isolates.
 * @example
 * createApp({ store: createMemoryStore({ maxKeys: 1000 }) });
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const maxKeys = options.maxKeys ?? 10_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  let nextVersion = 1;

  function live(key: string): Entry | undefined {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= now()) {
      entries.delete(key);
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
    get(key: string): Promise<Versioned | null> {
      const entry = live(key);
      return Promise.resolve(entry ? { value: entry.value, version: String(entry.version) } : null);
    },
    set(key: string, value: string, { expected, ttlSeconds }: SetOptions): Promise<string | null> {
      const current = live(key);
      if ((current ? String(current.version) : null) !== expected) return Promise.resolve(null);
      const version = nextVersion++;
      const time = now();
      entries.delete(key);
      entries.set(key, { value, version, expiresAt: time + ttlSeconds * 1000 });
      // Every write re-inserts its key, so the first keys are the least recently written: evict and expire from there.
      for (const [oldest, entry] of entries) {
        if (entries.size <= maxKeys && entry.expiresAt > time) break;
        entries.delete(oldest);
      }
      return Promise.resolve(String(version));
    },
    delete(key: string): Promise<void> {
      entries.delete(key);
      return Promise.resolve();
    },
  };
}
