/**
 * Per-turn store cost: operations and time of one turn's history work (`history.begin` with the user's message, then
 * `history.finish` with the reply, as lib/turn.ts does) on a conversation that already had 10, 200 or 1000 messages,
 * for every store in storage/ whose file exists and whose engine is reachable from this runtime. The others are
 * listed with the reason they were skipped. Run by bench/run.mjs on Bun and on Deno.
 */
import { createHistory } from "../lib/history.ts";
import type { Message } from "../lib/message.ts";
import type { ConversationStore } from "../storage/types.ts";
import { DELTAS } from "./fixture.mjs";
import { args, emit, env, runtime, runtimeVersion } from "./runtime.ts";

const LENGTHS = [10, 200, 1000];
const TURNS = Number(args[0] ?? 200);
const REDIS_URL = env("REDIS_URL")?.trim() || "redis://127.0.0.1:6390";
const USER_TEXT = "What is on my calendar tomorrow, and will I need an umbrella for the walk to the office?";
const REPLY_TEXT = DELTAS.join("");

interface Candidate {
  name: string;
  file: string;
  /** Builds the store, or says why it cannot be measured here. */
  open(module: Record<string, unknown>): Promise<{ store: ConversationStore; close?: () => Promise<void> } | string>;
}

// deno-lint-ignore no-explicit-any
type Any = any;
const g = globalThis as Any;

async function redisReachable(): Promise<string | undefined> {
  try {
    const { createClient } = await import("redis");
    const client = createClient({ url: REDIS_URL, socket: { connectTimeout: 1000, reconnectStrategy: false } });
    client.on("error", () => {});
    await client.connect();
    await client.ping();
    await client.close();
    return undefined;
  } catch (error) {
    return `Redis not reachable at ${REDIS_URL} (${(error as Error).message || error}): set REDIS_URL or run .ci/redis.sh`;
  }
}

const CANDIDATES: Candidate[] = [
  {
    name: "memory",
    file: "memory.ts",
    open: async (m) => ({ store: (m.createMemoryStore as Any)() }),
  },
  {
    name: "unstorage (memory driver)",
    file: "unstorage.ts",
    async open(m) {
      const { createStorage } = await import("unstorage");
      return { store: (m.createUnstorageStore as Any)({ storage: createStorage() }) };
    },
  },
  {
    name: "deno-kv (SQLite file)",
    file: "deno-kv.ts",
    async open(m) {
      if (runtime !== "deno") return "Deno KV exists only in Deno";
      const path = await g.Deno.makeTempFile({ prefix: "bench-kv-" });
      const kv = await g.Deno.openKv(path);
      return {
        store: (m.createDenoKvStore as Any)({ kv }),
        close: async () => {
          kv.close();
          await g.Deno.remove(path).catch(() => {});
        },
      };
    },
  },
  {
    name: "redis",
    file: "redis.ts",
    async open(m) {
      const why = await redisReachable();
      if (why) return why;
      const store = await (m.openRedisStore as Any)({ url: REDIS_URL, prefix: `bench:${Date.now()}:` });
      return { store, close: () => store.close() };
    },
  },
  {
    name: "upstash (REST, local server over Redis)",
    file: "upstash.ts",
    async open(m) {
      const url = env("UPSTASH_REDIS_REST_URL");
      const token = env("UPSTASH_REDIS_REST_TOKEN");
      if (url && token) return { store: (m.openUpstashStore as Any)({ url, token }) };
      const why = await redisReachable();
      if (why) return `no UPSTASH_REDIS_REST_URL, and the local Upstash REST server needs Redis: ${why}`;
      let server: Any;
      try {
        const { startUpstashServer } = await import("../tests/support/upstash-server.ts");
        server = await startUpstashServer({ redisUrl: REDIS_URL });
      } catch (error) {
        return `no local Upstash REST server (tests/support/upstash-server.ts): ${(error as Error).message}`;
      }
      return { store: (m.openUpstashStore as Any)({ url: server.url, token: server.token }), close: () => server.close() };
    },
  },
  {
    name: "cloudflare-kv",
    file: "cloudflare-kv.ts",
    open: () => Promise.resolve("needs workerd (Workers KV binding); not measured from Bun or Deno"),
  },
  {
    name: "durable-object",
    file: "durable-object.ts",
    open: () => Promise.resolve("needs workerd (Durable Object binding); not measured from Bun or Deno"),
  },
];

/** The store with its operations counted. */
function counted(store: ConversationStore) {
  const ops = { get: 0, set: 0, delete: 0 };
  const wrapped: ConversationStore = {
    name: store.name,
    atomic: store.atomic,
    get: (key) => (ops.get++, store.get(key)),
    set: (key, value, options) => (ops.set++, store.set(key, value, options)),
    delete: (key) => (ops.delete++, store.delete(key)),
  };
  return { store: wrapped, ops };
}

const message = (role: Message["role"], turnId: string): Message => ({
  role,
  text: role === "user" ? USER_TEXT : REPLY_TEXT,
  turnId,
  at: Date.now(),
});

async function measureLength(store: ConversationStore, length: number, tag: string) {
  // One conversation lives through length/2 turns with the app's default bounds; its stored document is then copied
  // to TURNS conversations, so that each timed turn starts from exactly that history.
  const history = createHistory(store);
  const seed = `${tag}-seed-${length}`;
  for (let i = 0; i < length / 2; i++) {
    const state = await history.begin(seed, message("user", `s${i}`));
    await history.finish(state, message("assistant", `s${i}`));
  }
  const snapshot = await store.get(`conv:${seed}`);
  if (!snapshot) throw new Error(`${store.name}: the seeded conversation was not stored`);
  for (let i = 0; i < TURNS; i++) {
    await store.set(`conv:${tag}-${length}-${i}`, snapshot.value, { expected: null, ttlSeconds: 3600 });
  }

  const { store: countedStore, ops } = counted(store);
  const timed = createHistory(countedStore);
  const times: number[] = [];
  for (let i = 0; i < TURNS; i++) {
    const id = `${tag}-${length}-${i}`;
    const start = performance.now();
    const state = await timed.begin(id, message("user", `t${i}`));
    await timed.finish(state, message("assistant", `t${i}`));
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return {
    messages: length,
    storedMessages: (JSON.parse(snapshot.value).messages as unknown[]).length,
    storedBytes: new TextEncoder().encode(snapshot.value).byteLength,
    opsPerTurn: { get: ops.get / TURNS, set: ops.set / TURNS, delete: ops.delete / TURNS },
    meanUs: (times.reduce((a, b) => a + b, 0) / TURNS) * 1000,
    p50Us: times[Math.floor(TURNS / 2)] * 1000,
    p99Us: times[Math.min(TURNS - 1, Math.floor(TURNS * 0.99))] * 1000,
  };
}

const stores = [];
for (const candidate of CANDIDATES) {
  const url = new URL(`../storage/${candidate.file}`, import.meta.url);
  let module: Record<string, unknown>;
  try {
    module = await import(url.href);
  } catch (error) {
    stores.push({ name: candidate.name, skipped: `storage/${candidate.file} not loadable: ${(error as Error).message}` });
    continue;
  }
  let opened;
  try {
    opened = await candidate.open(module);
  } catch (error) {
    opened = `could not open: ${(error as Error).message}`;
  }
  if (typeof opened === "string") {
    stores.push({ name: candidate.name, skipped: opened });
    continue;
  }
  try {
    const tag = `${runtime}-${Date.now().toString(36)}`;
    await measureLength(opened.store, 10, `${tag}-warm`); // warm-up: JIT and connections
    const lengths = [];
    for (const length of LENGTHS) lengths.push(await measureLength(opened.store, length, tag));
    stores.push({ name: candidate.name, lengths });
  } catch (error) {
    stores.push({ name: candidate.name, skipped: `failed while measuring: ${(error as Error).message}` });
  } finally {
    await opened.close?.().catch(() => {});
  }
}

emit({ runtime: runtimeVersion, turns: TURNS, stores });
// Clients (Redis sockets, the local Upstash server) may keep the event loop alive.
if (runtime === "deno") g.Deno.exit(0);
else g.process.exit(0);
