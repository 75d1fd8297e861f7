/**
 * Picks the conversation store from the environment, on every runtime. Web-standard code: the runtime-only
 * backends (Deno KV, Redis over TCP, and Upstash, to keep its client out of bundles that do not use it) come in
 * as openers from the platform entry, so that no platform's bundle pulls in another platform's code.
 * @module
 */
import { ConfigError, errorText } from "../lib/errors.ts";
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
const BINDING = "SESSIONS";
/** A key nobody writes: read once when a network store opens, to fail at startup rather than on the first turn. */
const PROBE_KEY = "session-store:probe";

function text(env: Record<string, unknown>, name: string): string | undefined {
  const value = env[name];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

function isKvNamespace(value: unknown): value is KvNamespaceLike {
  return typeof value === "object" && value !== null &&
    typeof (value as KvNamespaceLike).getWithMetadata === "function";
}

function isDurableObjectNamespace(value: unknown): value is DurableObjectNamespaceLike {
  return typeof value === "object" && value !== null &&
    typeof (value as DurableObjectNamespaceLike).idFromName === "function";
}

/** `UPSTASH_REDIS_REST_URL`/`_TOKEN`, or Vercel KV's `KV_REST_API_URL`/`_TOKEN`, and the variable names used. */
function upstashSettings(env: Record<string, unknown>) {
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

/** A URL without its user name and password, fit for a message. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return "(not a URL)";
  }
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

async function probe(store: ConversationStore): Promise<ConversationStore> {
  await store.get(PROBE_KEY);
  return store;
}

function unsupported(choice: StoreChoice, how: string): ConfigError {
  return new ConfigError(
    `${choice.reason} asks for the ${choice.name} store, which this platform entry cannot open: ${how}`,
  );
}

/**
 * Opens the store the environment asks for (see {@link chooseStore}); a network store is read once, so that a
 * wrong URL, a refused token or a server that is down fails here, with a message naming the variable to fix.
 * @param env environment variables and Workers bindings (`SESSIONS`)
 * @param openers the runtime-only backends this platform can open
 * @throws {ConfigError} naming the variable and the fix.
 * @example
 * // platforms/deno.ts
 * const store = await storeFromEnv(env, {
 *   denoKv: async (path) => createDenoKvStore({ kv: await Deno.openKv(path) }),
 *   redis: async (url) => (await import("../storage/redis.ts")).openRedisStore({ url }),
 *   upstash: openUpstashStore,
 * });
 * Deno.serve(createApp({ env, store }).fetch);
 */
export async function storeFromEnv(
  env: Record<string, unknown>,
  openers: StoreOpeners = {},
): Promise<ConversationStore> {
  const choice = chooseStore(env, openers);
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
    case "redis": {
      const url = text(env, "REDIS_URL");
      if (!url) {
        throw new ConfigError("REDIS_URL is not set: set it to redis://host:6379 (rediss:// for TLS) for SESSION_STORE=redis");
      }
      if (!openers.redis) throw unsupported(choice, "use upstash here, or run on Bun, Deno or Node");
      try {
        return await probe(await openers.redis(url));
      } catch (error) {
        throw new ConfigError(
          `REDIS_URL: cannot reach Redis at ${redact(url)} (${errorText(error)}): start the server or correct REDIS_URL`,
          { cause: error },
        );
      }
    }
    case "upstash": {
      const settings = upstashSettings(env);
      if (!settings?.url || !settings.token) {
        const missing = !settings
          ? "UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN (or Vercel KV's KV_REST_API_URL and KV_REST_API_TOKEN) are"
          : `${settings.url ? settings.tokenName : settings.urlName} is`;
        throw new ConfigError(`${missing} not set: copy the REST URL and token from the Upstash (or Vercel KV) console`);
      }
      if (!openers.upstash) throw unsupported(choice, "pass { upstash: openUpstashStore } to storeFromEnv()");
      try {
        return await probe(await openers.upstash({ url: settings.url, token: settings.token }));
      } catch (error) {
        const refused = /unauthori[sz]ed|\b401\b|WRONGPASS|NOAUTH/i.test(errorText(error));
        throw new ConfigError(
          refused
            ? `${settings.tokenName} was refused by ${redact(settings.url)}: copy the REST token from the console again`
            : `${settings.urlName}: cannot reach Upstash at ${redact(settings.url)} (${errorText(error)}): correct ${settings.urlName}`,
          { cause: error },
        );
      }
    }
    case "deno-kv": {
      const path = text(env, "DENO_KV_PATH");
      if (!openers.denoKv) throw unsupported(choice, "Deno KV runs on Deno and Deno Deploy only (platforms/deno.ts)");
      try {
        return await probe(await openers.denoKv(path));
      } catch (error) {
        if (error instanceof ConfigError) throw error; // the opener already names the fix (Deno Deploy's database)
        throw new ConfigError(
          `DENO_KV_PATH: cannot open Deno KV at ${path ?? "the default database"} (${errorText(error)}): ` +
            "point DENO_KV_PATH at a writable file (its folder must exist), or unset it",
          { cause: error },
        );
      }
    }
  }
}
