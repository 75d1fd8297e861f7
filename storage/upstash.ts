/**
 * Upstash Redis over its REST API (`@upstash/redis`), which also serves Vercel KV. `fetch` only: runs on every
 * runtime and edge without `nodejs_compat`.
 * @module
 */
import { Redis } from "@upstash/redis";
import { guardFor } from "./errors.ts";
import { expiryMs, GET_SCRIPT, parseEntry, runScript, SET_SCRIPT } from "./redis-scripts.ts";
import type { ConversationStore, SetOptions, Versioned } from "./types.ts";

/** The `@upstash/redis` client methods the store uses: `new Redis({ url, token })`. */
export type UpstashRedisLike = Pick<Redis, "eval" | "evalsha" | "del">;

/** Options of {@link createUpstashStore}. */
export interface UpstashStoreOptions {
  /** The client: `new Redis({ url, token })` or `Redis.fromEnv()`. */
  redis: UpstashRedisLike;
  /** Prefix of every key, so that several apps can share a database. @default "" */
  prefix?: string;
}

/** `@upstash/redis` errors repeat the whole command, stored text included: keep only the server's answer. */
function trimCommand(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const at = error.message.indexOf(", command was:");
  return at < 0 ? error : new Error(error.message.slice(0, at), { cause: error });
}

/**
 * A store on Upstash Redis or Vercel KV: the same Lua compare-and-set as the Redis store (atomic on the server)
 * and the same key layout, sent as `EVALSHA` over HTTPS. Per turn: three requests (one read, two writes). Works
 * whether or not the client deserializes JSON replies.
 * @example
 * const redis = new Redis({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN });
 * createApp({ store: createUpstashStore({ redis }) });
 */
export function createUpstashStore(options: UpstashStoreOptions): ConversationStore {
  const { redis } = options;
  const prefix = options.prefix ?? "";
  const name = "upstash";
  const guard = guardFor(name);

  function run(script: string, keys: string[], args: string[]): Promise<unknown> {
    return runScript(script, {
      evalSha: (sha) => redis.evalsha(sha, keys, args),
      evalScript: () => redis.eval(script, keys, args),
    }).catch((error) => Promise.reject(trimCommand(error)));
  }

  return {
    name,
    atomic: true,
    get(key: string): Promise<Versioned | null> {
      return guard("get", async () => parseEntry(await run(GET_SCRIPT, [prefix + key], [])));
    },
    set(key: string, value: string, { expected, ttlSeconds }: SetOptions): Promise<string | null> {
      return guard("set", async () => {
        const version = crypto.randomUUID();
        const written = await run(SET_SCRIPT, [prefix + key], [expected ?? "", version, value, expiryMs(ttlSeconds)]);
        return Number(written) === 1 ? version : null;
      });
    },
    delete(key: string): Promise<void> {
      return guard("delete", async () => {
        await redis.del(prefix + key).catch((error) => Promise.reject(trimCommand(error)));
      });
    },
  };
}

/** Connection settings of Upstash Redis (or Vercel KV). */
export interface UpstashSettings {
  /** `UPSTASH_REDIS_REST_URL` or `KV_REST_API_URL`. */
  url: string;
  /** `UPSTASH_REDIS_REST_TOKEN` or `KV_REST_API_TOKEN`. */
  token: string;
}

/**
 * Builds an Upstash store from its REST URL and token: the opener `storeFromEnv()` takes for `upstash`.
 * @example
 * createApp({ store: (env) => storeFromEnv(env, { upstash: openUpstashStore }) });
 */
export function openUpstashStore(settings: UpstashSettings): ConversationStore {
  return createUpstashStore({ redis: new Redis({ url: settings.url, token: settings.token }) });
}
