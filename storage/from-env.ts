/**
 * Picks the conversation store from the environment, on every runtime. Web-standard code: the runtime-only
 * backends (Deno KV, Redis over TCP, and Upstash, to keep its client out of bundles that do not use it) come in
 * as openers from the platform entry, so that no platform's bundle pulls in another platform's code. Which store is
 * chosen, and the stores every platform opens (memory, Workers KV, Durable Object), are in storage/choose-store.ts.
 * @module
 */
import { ConfigError, errorText } from "../lib/errors.ts";
import { envText as text } from "../lib/env.ts";
import { CANNOT_OPEN_HOW, chooseStore, openBindingStore, type StoreOpeners, unsupported, upstashSettings } from "./choose-store.ts";
import type { ConversationStore } from "./types.ts";

export { chooseStore, type StoreChoice, type StoreName, type StoreOpeners } from "./choose-store.ts";

/** A key nobody writes: read once when a network store opens, to fail at startup rather than on the first turn. */
const PROBE_KEY = "session-store:probe";

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

async function probe(store: ConversationStore): Promise<ConversationStore> {
  await store.get(PROBE_KEY);
  return store;
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
    case "cloudflare-kv":
    case "durable-object":
      return openBindingStore(choice, env);
    case "redis": {
      const url = text(env, "REDIS_URL");
      if (!url) {
        throw new ConfigError("REDIS_URL is not set: set it to redis://host:6379 (rediss:// for TLS) for SESSION_STORE=redis");
      }
      if (!openers.redis) throw unsupported(choice, CANNOT_OPEN_HOW.redis);
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
      if (!openers.upstash) throw unsupported(choice, CANNOT_OPEN_HOW.upstash);
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
      if (!openers.denoKv) throw unsupported(choice, CANNOT_OPEN_HOW["deno-kv"]);
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
