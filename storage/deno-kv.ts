/**
 * Deno KV (runtime-only: Deno and Deno Deploy). Import it from a Deno entry, never from the core.
 * @module
 */
import { guardFor } from "./errors.ts";
import type { ConversationStore, SetOptions, Versioned } from "./types.ts";

/** A Deno KV key (`Deno.KvKey`). */
export type DenoKvKey = readonly (Uint8Array | string | number | bigint | boolean | symbol)[];

/** The atomic operation methods the store uses (`Deno.AtomicOperation`). */
export interface DenoKvAtomic {
  check(...checks: { key: DenoKvKey; versionstamp: string | null }[]): DenoKvAtomic;
  set(key: DenoKvKey, value: unknown, options?: { expireIn?: number }): DenoKvAtomic;
  commit(): Promise<{ ok: true; versionstamp: string } | { ok: false }>;
}

/**
 * The Deno KV methods the store uses (`Pick<Deno.Kv, "get" | "atomic" | "delete">`, spelled out so that the file
 * type-checks without Deno's unstable types): pass `await Deno.openKv()`.
 */
export interface DenoKvClient {
  get<T>(key: DenoKvKey): Promise<{ value: T | null; versionstamp: string | null }>;
  atomic(): DenoKvAtomic;
  delete(key: DenoKvKey): Promise<void>;
}

/** Options of {@link createDenoKvStore}. */
export interface DenoKvStoreOptions {
  /** An open database: `await Deno.openKv()` on Deploy, `Deno.openKv(path)` or `Deno.openKv(":memory:")` locally. */
  kv: DenoKvClient;
  /** Key prefix: a conversation lives at `[...prefix, key]`. @default ["sessions"] */
  prefix?: DenoKvKey;
  /** Current time in milliseconds. @default Date.now */
  now?: () => number;
}

/**
 * What is stored at a key. The text is kept as UTF-8 bytes so that its stored size is its byte length: a string
 * with one character beyond Latin-1 would be serialized as UTF-16 and could double past the 64 KiB value limit.
 */
interface Entry {
  data: Uint8Array;
  expiresAt: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A store on Deno KV: compare-and-set with versionstamps (`atomic().check().set()`), so it is atomic, on Deno Deploy
 * (globally replicated) and locally (SQLite file or memory). A value may hold at most 64 KiB, which the history
 * bounds (`HISTORY_MAX_BYTES`, default 32 KiB) keep below. Expiry uses `expireIn`, which Deno KV applies lazily, so
 * the store also records the expiry time and treats an expired entry as absent.
 * @example
 * const kv = await Deno.openKv(Deno.env.get("DENO_KV_PATH"));
 * createApp({ store: createDenoKvStore({ kv }) });
 */
export function createDenoKvStore(options: DenoKvStoreOptions): ConversationStore {
  const { kv } = options;
  const prefix = options.prefix ?? ["sessions"];
  const now = options.now ?? Date.now;
  const name = "deno-kv";
  const guard = guardFor(name);

  const live = (entry: unknown): entry is Entry =>
    typeof entry === "object" && entry !== null && (entry as Entry).data instanceof Uint8Array &&
    typeof (entry as Entry).expiresAt === "number" && (entry as Entry).expiresAt > now();

  return {
    name,
    atomic: true,
    // 64 KiB per value, less the entry's own fields.
    maxValueBytes: 65_536 - 512,
    get(key: string): Promise<Versioned | null> {
      return guard("get", async () => {
        const entry = await kv.get<Entry>([...prefix, key]);
        if (entry.versionstamp === null || !live(entry.value)) return null;
        return { value: decoder.decode(entry.value.data), version: entry.versionstamp };
      });
    },
    set(key: string, value: string, { expected, ttlSeconds }: SetOptions): Promise<string | null> {
      return guard("set", async () => {
        const path = [...prefix, key];
        const entry: Entry = { data: encoder.encode(value), expiresAt: now() + ttlSeconds * 1000 };
        const expireIn = Math.max(1, Math.ceil(ttlSeconds * 1000));
        const write = (versionstamp: string | null) =>
          kv.atomic().check({ key: path, versionstamp }).set(path, entry, { expireIn }).commit();
        let result = await write(expected);
        if (!result.ok && expected === null) {
          // An expired entry that Deno KV has not collected yet still occupies the key: replace exactly that one.
          const current = await kv.get(path);
          if (current.versionstamp !== null && !live(current.value)) result = await write(current.versionstamp);
        }
        return result.ok ? result.versionstamp : null;
      });
    },
    delete(key: string): Promise<void> {
      return guard("delete", () => kv.delete([...prefix, key]));
    },
  };
}
