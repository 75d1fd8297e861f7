/**
 * The Lua scripts shared by the Redis (TCP) and Upstash (REST) stores, so that both keep one layout and either can
 * read what the other wrote: a conversation is a hash `{ v: version, d: value }` with a millisecond expiry.
 * @module
 */
import { errorText } from "../lib/errors.ts";
import { toHex } from "../lib/signature.ts";

/**
 * Compare-and-set. KEYS[1] the key; ARGV: expected version ('' when the key must be absent), new version, value,
 * expiry in milliseconds. Returns 1 when written, 0 on a conflict. Redis runs a script atomically.
 */
export const SET_SCRIPT = `local current = redis.call('HGET', KEYS[1], 'v')
if (current or '') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'd', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1`;

/**
 * Read. KEYS[1] the key. Returns `version:value`, or nil. One string that can never parse as JSON (a version is a
 * UUID), so a client that deserializes JSON replies (`@upstash/redis` does by default) hands it back untouched.
 */
export const GET_SCRIPT = `local entry = redis.call('HMGET', KEYS[1], 'v', 'd')
if not entry[1] or not entry[2] then return nil end
return entry[1] .. ':' .. entry[2]`;

/** Splits what {@link GET_SCRIPT} returns. */
export function parseEntry(reply: unknown): { value: string; version: string } | null {
  if (typeof reply !== "string") return null;
  const colon = reply.indexOf(":");
  return colon < 0 ? null : { version: reply.slice(0, colon), value: reply.slice(colon + 1) };
}

/** The expiry argument of {@link SET_SCRIPT}: whole milliseconds, at least one. */
export function expiryMs(ttlSeconds: number): string {
  return String(Math.max(1, Math.ceil(ttlSeconds * 1000)));
}

const digests = new Map<string, Promise<string>>();

/** The SHA-1 of a script, as `EVALSHA` wants it (WebCrypto, so that it also runs on the edge). */
function scriptSha(script: string): Promise<string> {
  let digest = digests.get(script);
  if (!digest) {
    digest = crypto.subtle.digest("SHA-1", new TextEncoder().encode(script)).then(toHex);
    digests.set(script, digest);
  }
  return digest;
}

/** How {@link runScript} reaches the server. */
export interface ScriptRunner<T> {
  /** `EVALSHA` of the script's SHA-1. */
  evalSha: (sha: string) => Promise<T>;
  /** `EVAL` of the whole script (which also loads it). */
  evalScript: () => Promise<T>;
}

/** Runs a script by its SHA-1 and falls back to sending it whole when the server does not know it yet. */
export async function runScript<T>(script: string, runner: ScriptRunner<T>): Promise<T> {
  try {
    return await runner.evalSha(await scriptSha(script));
  } catch (error) {
    if (!/NOSCRIPT/i.test(errorText(error))) throw error;
    return await runner.evalScript();
  }
}
