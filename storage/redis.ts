/**
 * Redis over TCP with the `redis` package (node-redis), for Bun, Deno, Node and containers. Runtime-only: it needs
 * TCP sockets, so import it from a server entry (or inject it), never from the core or an edge bundle.
 * @module
 */
import { createClient } from "redis";
import { guardFor } from "./errors.ts";
import { expiryMs, runScript, SET_SCRIPT } from "./redis-scripts.ts";
import type { ConversationStore, SetOptions, Versioned } from "./types.ts";

/** Arguments of a script call, as node-redis takes them. */
export interface RedisScriptOptions {
  keys: string[];
  arguments: string[];
}

/** The node-redis client methods the store uses: a connected `createClient()`, a cluster or a pool. */
export interface RedisClientLike {
  hmGet(key: string, fields: string[]): Promise<unknown>;
  eval(script: string, options: RedisScriptOptions): Promise<unknown>;
  evalSha(sha1: string, options: RedisScriptOptions): Promise<unknown>;
  del(key: string): Promise<unknown>;
}

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /** A connected client: `await createClient({ url }).connect()`. */
  client: RedisClientLike;
  /** Prefix of every key, so that several apps can share a database. @default "" */
  prefix?: string;
}

/**
 * A store on Redis: compare-and-set by a Lua script (atomic on the server), the version kept with the value in one
 * hash, expiry with `PEXPIRE`. Per turn: one `HMGET` and two `EVALSHA`s. Scripts are sent by SHA-1 and loaded on
 * the first `NOSCRIPT`.
 * @example
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * createApp({ store: createRedisStore({ client }) });
 */
export function createRedisStore(options: RedisStoreOptions): ConversationStore {
  const { client } = options;
  const prefix = options.prefix ?? "";
  const name = "redis";
  const guard = guardFor(name);

  return {
    name,
    atomic: true,
    get(key: string): Promise<Versioned | null> {
      return guard("get", async () => {
        const [version, value] = await client.hmGet(prefix + key, ["v", "d"]) as (string | null)[];
        return typeof version === "string" && typeof value === "string" ? { value, version } : null;
      });
    },
    set(key: string, value: string, { expected, ttlSeconds }: SetOptions): Promise<string | null> {
      return guard("set", async () => {
        const version = crypto.randomUUID();
        const args = { keys: [prefix + key], arguments: [expected ?? "", version, value, expiryMs(ttlSeconds)] };
        const written = await runScript(SET_SCRIPT, {
          evalSha: (sha) => client.evalSha(sha, args),
          evalScript: () => client.eval(SET_SCRIPT, args),
        });
        return Number(written) === 1 ? version : null;
      });
    },
    delete(key: string): Promise<void> {
      return guard("delete", async () => {
        await client.del(prefix + key);
      });
    },
  };
}

/** Options of {@link openRedisStore}. */
export interface OpenRedisStoreOptions {
  /** `redis://[[user]:password@]host[:port][/db]`, or `rediss://` for TLS. */
  url: string;
  /** Give up connecting after this long. @default 5000 */
  connectTimeoutMs?: number;
  /** Told about connection errors after the first connection (operations fail meanwhile, they never queue). */
  onError?: (error: unknown) => void;
  /** Key prefix. @default "" */
  prefix?: string;
}

/** A Redis store that owns its connection. */
export interface RedisStore extends ConversationStore {
  /** Closes the connection. */
  close(): Promise<void>;
}

/**
 * Connects to Redis and returns a store on it. The first connection must succeed (it rejects otherwise); later
 * drops reconnect with backoff while operations fail fast instead of queueing, so a turn is never held up by Redis.
 * @example
 * const store = await openRedisStore({ url: "redis://127.0.0.1:6379" });
 */
export async function openRedisStore(options: OpenRedisStoreOptions): Promise<RedisStore> {
  let connected = false;
  const client = createClient({
    url: options.url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: options.connectTimeoutMs ?? 5000,
      reconnectStrategy: (retries, cause) => connected ? Math.min(50 * 2 ** retries, 2000) : cause,
    },
  });
  client.on("error", (error) => {
    if (connected) options.onError?.(error);
  });
  await client.connect();
  connected = true;
  return {
    ...createRedisStore({ client, prefix: options.prefix }),
    close: () => client.close(),
  };
}
