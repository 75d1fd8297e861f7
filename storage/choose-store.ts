/**
 * Which conversation store the environment asks for, and opening the ones every platform can (memory, and Workers'
 * `SESSIONS` binding: Workers KV or a Durable Object). The network and runtime-only stores are opened by
 * storage/from-env.ts, which the Workers entries do not import: their bundle holds none of that code.
 * @module
 */
import { envText as text } from "../lib/env.ts";
import { ConfigError } from "../lib/errors.ts";
import { createCloudflareKvStore, type KvNamespaceLike } from "./cloudflare-kv.ts";
import { createDurableObjectStore, type DurableObjectNamespaceLike } from "./durable-object.ts";
import { createMemoryStore } from "./memory.ts";
import type { ConversationStore } from "./types.ts";

/** The stores `SESSION_STORE` may name. */
const STORE_NAMES = ["memory", "deno-kv", "cloudflare-kv", "durable-object", "redis", "upstash"] as const;

/** A store `SESSION_STORE` may name. */
export type StoreName = typeof STORE_NAMES[number];

/** Opens the backends that only some platforms can run; a platform entry passes those it supports. */
export interface StoreOpeners {
  /**
   * Opens Deno KV at `DENO_KV_PATH` (`undefined`: the default database, Deno Deploy's included).
   * Deno: `async (path) => createDenoKvStore({ kv: await Deno.openKv(path) })`.
   */
  denoKv?: (path: string | undefined) => Promise<ConversationStore>;
  /** Connects to Redis over TCP at `REDIS_URL`: `(url) => openRedisStore({ url })` from `storage/redis.ts`. */
  redis?: (url: string) => Promise<ConversationStore>;
  /** Builds the Upstash (or Vercel KV) store: `openUpstashStore` from `storage/upstash.ts`. */
  upstash?: (settings: { url: string; token: string }) => ConversationStore | Promise<ConversationStore>;
}

/** The store the environment asks for, and why. */
export interface StoreChoice {
  name: StoreName;
  /** The setting that decided it, for logs and errors: `SESSION_STORE=redis`, `SESSIONS binding`, `default`. */
  reason: string;
}

/** The binding Workers stores use, a KV namespace or a Durable Object namespace. */
export const BINDING = "SESSIONS";

export function isKvNamespace(value: unknown): value is KvNamespaceLike {
  return typeof value === "object" && value !== null &&
    typeof (value as KvNamespaceLike).getWithMetadata === "function";
}

export function isDurableObjectNamespace(value: unknown): value is DurableObjectNamespaceLike {
  return typeof value === "object" && value !== null &&
    typeof (value as DurableObjectNamespaceLike).idFromName === "function";
}

/** `UPSTASH_REDIS_REST_URL`/`_TOKEN`, or Vercel KV's `KV_REST_API_URL`/`_TOKEN`, and the variable names used. */
export function upstashSettings(env: Record<string, unknown>) {
  for (const [urlName, tokenName] of [
    ["UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"],
    ["KV_REST_API_URL", "KV_REST_API_TOKEN"],
  ]) {
    const url = text(env, urlName);
    const token = text(env, tokenName);
    if (url || token) return { url, token, urlName, tokenName };
  }
  return undefined;
}

/**
 * Decides which store the environment asks for, without opening it. `SESSION_STORE` decides when set; otherwise,
 * in order: a `SESSIONS` binding (KV namespace or Durable Object namespace), `REDIS_URL` (where Redis can run),
 * Upstash or Vercel KV variables, `DENO_KV_PATH`, Deno Deploy (`DENO_DEPLOYMENT_ID`), and else memory.
 * @throws {ConfigError} for an unknown `SESSION_STORE`, or `REDIS_URL` where Redis over TCP cannot run.
 */
export function chooseStore(env: Record<string, unknown>, openers: StoreOpeners = {}): StoreChoice {
  const named = text(env, "SESSION_STORE")?.toLowerCase();
  if (named !== undefined) {
    if (!(STORE_NAMES as readonly string[]).includes(named)) {
      const hint = named === "unstorage"
        ? ": an unstorage driver is chosen in code, createApp({ store: createUnstorageStore({ storage }) })"
        : "";
      throw new ConfigError(`SESSION_STORE must be one of ${STORE_NAMES.join(", ")} (got "${named.slice(0, 40)}")${hint}`);
    }
    return { name: named as StoreName, reason: `SESSION_STORE=${named}` };
  }
  const binding = env[BINDING];
  if (isKvNamespace(binding)) return { name: "cloudflare-kv", reason: `${BINDING} binding (KV namespace)` };
  if (isDurableObjectNamespace(binding)) {
    return { name: "durable-object", reason: `${BINDING} binding (Durable Object namespace)` };
  }
  const redisUrl = text(env, "REDIS_URL");
  if (redisUrl && openers.redis) return { name: "redis", reason: "REDIS_URL" };
  const upstash = upstashSettings(env);
  if (upstash) return { name: "upstash", reason: upstash.urlName };
  if (redisUrl) {
    throw new ConfigError(
      "REDIS_URL is set, but Redis over TCP cannot run on this platform: use Upstash or Vercel KV " +
        "(UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN), or set SESSION_STORE=memory to ignore it",
    );
  }
  if (text(env, "DENO_KV_PATH")) return { name: "deno-kv", reason: "DENO_KV_PATH" };
  if (text(env, "DENO_DEPLOYMENT_ID") && openers.denoKv) return { name: "deno-kv", reason: "Deno Deploy" };
  return { name: "memory", reason: "default" };
}

/** The error for a store this platform entry cannot open, naming what to do. */
export function unsupported(choice: StoreChoice, how: string): ConfigError {
  return new ConfigError(
    `${choice.reason} asks for the ${choice.name} store, which this platform entry cannot open: ${how}`,
  );
}

/**
 * Opens a store every platform can: memory, or the Workers KV namespace or Durable Object namespace bound as
 * `SESSIONS`; its error names the wrangler.toml lines when the binding is not what the choice needs.
 * @throws {ConfigError} for a choice of another store, or a missing binding.
 */
export function openBindingStore(choice: StoreChoice, env: Record<string, unknown>): ConversationStore {
  switch (choice.name) {
    case "memory":
      return createMemoryStore();
    case "cloudflare-kv": {
      const binding = env[BINDING];
      if (!isKvNamespace(binding)) {
        throw new ConfigError(
          `${choice.reason} needs a Workers KV namespace bound as ${BINDING}: add ` +
            `[[kv_namespaces]] binding = "${BINDING}" to wrangler.toml (wrangler deploy creates the namespace)`,
        );
      }
      return createCloudflareKvStore({ namespace: binding });
    }
    case "durable-object": {
      const binding = env[BINDING];
      if (!isDurableObjectNamespace(binding)) {
        throw new ConfigError(
          `${choice.reason} needs a Durable Object namespace bound as ${BINDING}: add ` +
            `[[durable_objects.bindings]] name = "${BINDING}", class_name = "ConversationObject" to wrangler.toml, ` +
            `a migration for the class, and export ConversationObject from your Worker`,
        );
      }
      return createDurableObjectStore({ namespace: binding });
    }
    default:
      throw unsupported(choice, CANNOT_OPEN_HOW[choice.name]);
  }
}

/** What to do instead, for each store that only some platform entries can open (the others open everywhere). */
export const CANNOT_OPEN_HOW: Record<Exclude<StoreName, "memory" | "cloudflare-kv" | "durable-object">, string> = {
  redis: "use upstash here, or run on Bun, Deno or Node",
  upstash: "pass { upstash: openUpstashStore } to storeFromEnv() (storage/from-env.ts)",
  "deno-kv": "Deno KV runs on Deno and Deno Deploy only (platforms/deno.ts)",
};
