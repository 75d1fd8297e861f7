import { toHex } from "./signature.ts";

/** Options of {@link createAgentCache}. */
export interface AgentCacheOptions {
  /** Most cached profiles. @default 1000 */
  maxEntries?: number;
  /** Most bytes of cached profiles (their strings, estimated as UTF-16) and keys. @default 8 MiB */
  maxBytes?: number;
}

/** Profiles resolved once per conversation and metadata, bounded in count and in bytes. */
export interface AgentCache<T> {
  /** The cached profile of `conversationId` with `metadata`, or the one `resolve` gives (a failure is not kept). */
  get(conversationId: string, metadata: unknown, resolve: () => T | Promise<T>): Promise<T>;
  /** Cached profiles. */
  readonly size: number;
  /** Estimated bytes held by the cached profiles and their keys. */
  readonly bytes: number;
}

const encoder = new TextEncoder();

/**
 * The cache key of a conversation's profile: the SHA-256 of its id and metadata, so that the key costs 64
 * characters whatever the metadata's size (the metadata's nesting is bounded by the event parser).
 */
async function digest(conversationId: string, metadata: unknown): Promise<string> {
  const text = `${conversationId}\u0000${JSON.stringify(metadata ?? {})}`;
  return toHex(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

/** Bytes of the strings in a profile, to a shallow depth: what a cached profile holds beyond fixed costs. */
function estimate(value: unknown, depth = 0): number {
  if (typeof value === "string") return 2 * value.length;
  if (depth > 3 || typeof value !== "object" || value === null) return 8;
  let bytes = 16;
  for (const [key, item] of Object.entries(value)) bytes += 2 * key.length + estimate(item, depth + 1);
  return bytes;
}

/**
 * A cache of agent profiles (`resolveAgent`'s answers), least recently resolved dropped first once it holds
 * `maxEntries` profiles or `maxBytes`.
 * @example
 * const agents = createAgentCache<AgentProfile>({ maxBytes: 4 * 1024 * 1024 });
 * const profile = await agents.get(event.conversationId, event.customMetadata, () => resolveAgent(event));
 */
export function createAgentCache<T>(options: AgentCacheOptions = {}): AgentCache<T> {
  const maxEntries = options.maxEntries ?? 1000;
  const maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
  const entries = new Map<string, { profile: Promise<T>; bytes: number }>();
  let bytes = 0;

  function drop(key: string) {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    bytes -= entry.bytes;
  }
  function evict() {
    while (entries.size > maxEntries || (bytes > maxBytes && entries.size > 0)) drop(entries.keys().next().value!);
  }

  return {
    async get(conversationId, metadata, resolve) {
      const key = await digest(conversationId, metadata);
      const found = entries.get(key);
      if (found) return found.profile;
      const profile = Promise.resolve().then(resolve);
      const entry = { profile, bytes: 2 * key.length };
      entries.set(key, entry);
      bytes += entry.bytes;
      evict();
      profile.then(
        (value) => {
          if (entries.get(key) !== entry) return;
          const size = estimate(value);
          entry.bytes += size;
          bytes += size;
          evict();
        },
        () => {
          if (entries.get(key) === entry) drop(key);
        },
      );
      return profile;
    },
    get size() {
      return entries.size;
    },
    get bytes() {
      return bytes;
    },
  };
}
