/**
 * Any `unstorage` driver: file system, Netlify Blobs, Azure, MongoDB, and the rest. Web-standard code; whether it
 * runs on the edge depends on the driver you mount.
 * @module
 */
import type { Storage } from "unstorage";
import { KV_MIN_TTL_SECONDS } from "./cloudflare-kv.ts";
import { guardFor } from "./errors.ts";
import type { ConversationStore, SetOptions, Versioned } from "./types.ts";

/** The `unstorage` methods the store uses: pass `createStorage({ driver })`. */
export type UnstorageLike = Pick<Storage, "getItem" | "setItem" | "removeItem">;

/** Options of {@link createUnstorageStore}. */
export interface UnstorageStoreOptions {
  /** The storage: `createStorage({ driver: fsDriver({ base: "./.data" }) })`. */
  storage: UnstorageLike;
  /** Shown by `/health` and in errors. @default "unstorage" */
  name?: string;
  /** Current time in milliseconds. @default Date.now */
  now?: () => number;
}

/** What is stored at a key: the value with its version and expiry, one item so that one read returns all. */
interface Entry {
  version: string;
  expiresAt: number;
  value: string;
}

/**
 * A store on any `unstorage` driver. **Not atomic** (`atomic: false`): unstorage has no compare-and-set, so the
 * store reads the key just before it writes and refuses a stale version, which catches overlapping turns that do
 * not race within those few milliseconds; concurrent writers may still overwrite each other (the last one wins).
 * Expiry is checked on read against the stored time; drivers that support `ttl` (Redis, Workers KV, Vercel KV)
 * also drop the key themselves. Keys go to the driver as they are: `:` and `/` separate path segments in
 * unstorage, and a `?` or `#` ends the key. Per turn: one `get()` and two `set()`s, three driver reads, two writes.
 * @example
 * import { createStorage } from "unstorage";
 * import fsDriver from "unstorage/drivers/fs-lite";
 * createApp({ store: createUnstorageStore({ storage: createStorage({ driver: fsDriver({ base: ".data" }) }) }) });
 */
export function createUnstorageStore(options: UnstorageStoreOptions): ConversationStore {
  const { storage } = options;
  const name = options.name ?? "unstorage";
  const guard = guardFor(name);
  const now = options.now ?? Date.now;

  async function read(key: string): Promise<Versioned | null> {
    const entry = await storage.getItem<Entry>(key);
    if (typeof entry !== "object" || entry === null) return null;
    if (typeof entry.value !== "string" || typeof entry.version !== "string" || !(entry.expiresAt > now())) return null;
    return { value: entry.value, version: entry.version };
  }

  return {
    name,
    atomic: false,
    get(key: string): Promise<Versioned | null> {
      return guard("get", () => read(key));
    },
    set(key: string, value: string, { expected, ttlSeconds }: SetOptions): Promise<string | null> {
      return guard("set", async () => {
        const current = await read(key);
        if ((current?.version ?? null) !== expected) return null;
        const entry: Entry = { version: crypto.randomUUID(), expiresAt: now() + ttlSeconds * 1000, value };
        // Workers KV, the strictest driver about `ttl`, refuses less than its floor; the stored time is exact anyway.
        await storage.setItem(key, entry, { ttl: Math.max(KV_MIN_TTL_SECONDS, Math.ceil(ttlSeconds)) });
        return entry.version;
      });
    },
    delete(key: string): Promise<void> {
      return guard("delete", () => storage.removeItem(key));
    },
  };
}
