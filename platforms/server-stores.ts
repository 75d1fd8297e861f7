/**
 * The store openers of the long-running servers (Bun, Deno, Node): Redis over TCP and Upstash, loaded only when the
 * environment asks for them. Edge entries never import this file, so their bundles hold neither client.
 */
import type { StoreOpeners } from "../storage/from-env.ts";

/** `storeFromEnv()` openers for `REDIS_URL` and the Upstash / Vercel KV variables. */
export const serverStoreOpeners: StoreOpeners = {
  redis: async (url) => (await import("../storage/redis.ts")).openRedisStore({ url }),
  upstash: async (settings) => (await import("../storage/upstash.ts")).openUpstashStore(settings),
};
