/**
 * Cloudflare Workers KV, through a namespace binding. Web-standard code: runs on Workers without `nodejs_compat`.
 * @module
 */
import { errorText } from "../lib/errors.ts";
import { guardFor } from "./errors.ts";
import type { ConversationStore, SetOptions, Versioned } from "./types.ts";

/** The Workers KV methods the store uses: pass the binding, e.g. `env.SESSIONS` (a `KVNamespace`). */
export interface KvNamespaceLike {
  getWithMetadata<Metadata>(key: string, type: "text"): Promise<{ value: string | null; metadata: Metadata | null }>;
  put(key: string, value: string, options: { expirationTtl?: number; metadata?: unknown }): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Options of {@link createCloudflareKvStore}. */
export interface CloudflareKvStoreOptions {
  /** The KV namespace binding (`[[kv_namespaces]] binding = "SESSIONS"` in `wrangler.toml`). */
  namespace: KvNamespaceLike;
  /** Current time in milliseconds. @default Date.now */
  now?: () => number;
  /** Wait before writing again after KV's "429 Too Many Requests" (one write per second per key). @default 1000 */
  rateLimitRetryMs?: number;
  /**
   * Read the key again just before each write and refuse a stale version. It catches an interrupted turn's late
   * reply (the common barge-in case) when both requests reach the same location, for up to two more KV reads per
   * turn. `false`: one read and two writes per turn, and the last writer always wins. @default true
   */
  checkBeforeWrite?: boolean;
}

/** Kept in the key's metadata, so that a read returns it with the value at no extra cost. */
interface Metadata {
  version: string;
  expiresAt: number;
}

/** Workers KV refuses an `expirationTtl` below 60 seconds (its unstorage driver too). */
export const KV_MIN_TTL_SECONDS = 60;
const RATE_LIMIT_RETRIES = 2;

/**
 * A store on Cloudflare Workers KV. **Not atomic** (`atomic: false`): KV has no compare-and-set, so this store
 * checks the expected version with a read just before it writes, which catches the overlapping turns of one call
 * when both requests reach the same Cloudflare location, but not a race between that read and the write.
 *
 * What can happen with overlapping turns on KV:
 * - Eventual consistency: a write may take 60 seconds or more to be seen in other locations, and reads are cached
 *   at the edge, so a turn served elsewhere may read an older conversation and its write may replace a newer one
 *   (the last writer wins): a message, or an interrupted reply's rewrite to what the caller heard, can be lost.
 * - One write per second per key: a turn writes twice (the user's message, then the reply). A second write within
 *   the second gets "429 Too Many Requests"; the store waits `rateLimitRetryMs` and tries again, twice at most.
 * - Duplicate deliveries of a webhook are stored once when the first write is already visible where the second
 *   arrives, usually the case since Layercode retries from the same region.
 *
 * Per turn: one `get()`, two `set()`s, which cost up to three KV reads and two KV writes (one read and two writes with
 * `checkBeforeWrite: false`, where the last writer always wins). When conversations must
 * never lose a message, use the Durable Object store (`storage/durable-object.ts`): strongly consistent, atomic.
 * Expiry: KV's own `expirationTtl` (at least 60 seconds), and the exact expiry time kept in metadata and checked on
 * every read.
 * @example
 * export default {
 *   fetch: createApp({ store: (env) => createCloudflareKvStore({ namespace: env.SESSIONS as KVNamespace }) }).fetch,
 * };
 */
export function createCloudflareKvStore(options: CloudflareKvStoreOptions): ConversationStore {
  const { namespace } = options;
  const now = options.now ?? Date.now;
  const retryMs = options.rateLimitRetryMs ?? 1000;
  const check = options.checkBeforeWrite ?? true;
  const name = "cloudflare-kv";
  const guard = guardFor(name);

  async function read(key: string): Promise<Versioned | null> {
    const { value, metadata } = await namespace.getWithMetadata<Metadata>(key, "text");
    if (value === null || typeof metadata?.version !== "string" || !(metadata.expiresAt > now())) return null;
    return { value, version: metadata.version };
  }

  async function put(key: string, value: string, ttlSeconds: number, metadata: Metadata): Promise<void> {
    const expirationTtl = Math.max(KV_MIN_TTL_SECONDS, Math.ceil(ttlSeconds));
    for (let attempt = 0;; attempt++) {
      try {
        return await namespace.put(key, value, { expirationTtl, metadata });
      } catch (error) {
        const limited = /\b429\b|too many requests/i.test(errorText(error));
        if (!limited || attempt >= RATE_LIMIT_RETRIES) throw error;
        await new Promise((resolve) => setTimeout(resolve, retryMs));
      }
    }
  }

  return {
    name,
    atomic: false,
    get(key: string): Promise<Versioned | null> {
      return guard("get", () => read(key));
    },
    set(key: string, value: string, { expected, ttlSeconds }: SetOptions): Promise<string | null> {
      return guard("set", async () => {
        if (check && ((await read(key))?.version ?? null) !== expected) return null;
        const version = crypto.randomUUID();
        await put(key, value, ttlSeconds, { version, expiresAt: now() + ttlSeconds * 1000 });
        return version;
      });
    },
    delete(key: string): Promise<void> {
      return guard("delete", () => namespace.delete(key));
    },
  };
}
