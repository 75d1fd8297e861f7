/**
 * The "remote store" section's server (bench/remote.mjs): ours (the same createApp as ours.ts) on a store that is
 * far away, or the official path (official.ts, in-memory history) for reference, configured by the `BENCH_REMOTE`
 * environment variable (JSON):
 * - `{ "subject": "ours", "store": "delay", "delayMs": 25 }`: the memory store behind a wrapper that makes every
 *   operation take `delayMs` (half before the operation runs, the rest after it);
 * - `{ "subject": "ours", "store": "redis", "url": "redis://…" }`: the real Redis store (the URL is a latency proxy's);
 * - `{ "subject": "ours", "store": "upstash", "url": "http://…", "token": "…" }`: the real Upstash store;
 * - `{ "subject": "official" }`: bench/servers/official.ts unchanged.
 *
 * What it adds, in this bench mode only: the time the webhook reached the fetch handler, the time the model was
 * asked (the scripted model's `stream()` was called) and every store operation's start and end, all relative to the
 * arrival. The model sends them in its `response.data` frame as `content.bench`; `GET /bench/settled` waits until the
 * turn is over (its writes after `response.end` included) and answers the turn's operations.
 * Requests must come one at a time: the arrival belongs to the one turn in flight.
 */
import { createApp } from "../../app/create-app.ts";
import type { ModelInput, ModelProvider } from "../../llm/types.ts";
import { createMemoryStore } from "../../storage/memory.ts";
import type { ConversationStore } from "../../storage/types.ts";
import { DATA_CONTENT, DELTAS, SECRET, scriptedModel } from "../fixture.mjs";
import { env } from "../runtime.ts";

interface Config {
  subject: "ours" | "official";
  store?: "delay" | "redis" | "upstash";
  delayMs?: number;
  url?: string;
  token?: string;
}

/** One store operation, in milliseconds after the turn's arrival. */
interface Op {
  op: "get" | "set" | "delete";
  /** The key's kind: what precedes its first `:` (`conv`, `replay`). */
  key: string;
  start: number;
  end?: number;
}

interface Turn {
  arrival: number;
  modelAskedMs?: number;
  ops: Op[];
  /** Ours called `onTurn` for it. */
  reported?: boolean;
}

const config = JSON.parse(env("BENCH_REMOTE") ?? "{}") as Config;
let turn: Turn = { arrival: performance.now(), ops: [] };
let inFlight = 0;

const round = (ms: number) => Math.round(ms * 1000) / 1000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const immediate: (resolve: () => void) => void = (globalThis as { setImmediate?: (f: () => void) => void }).setImmediate ??
  ((resolve) => setTimeout(resolve, 0));
/**
 * Sleeps until `performance.now()` reaches `at`. Timers fire on whole milliseconds and Deno's about a millisecond
 * late: sleep to 1.5 ms before, then yield to the event loop (`setImmediate`) until the time, exact to tens of µs.
 */
async function until(at: number): Promise<void> {
  for (let left = at - performance.now(); left > 0; left = at - performance.now()) {
    if (left > 2) await sleep(Math.floor(left - 1.5));
    else await new Promise<void>((resolve) => immediate(resolve));
  }
}

/** The store with each operation recorded into the turn in flight when it started. */
function recorded(store: ConversationStore): ConversationStore {
  const track = <T>(op: Op["op"], key: string, run: () => Promise<T>): Promise<T> => {
    const current = turn;
    const entry: Op = { op, key: key.slice(0, Math.max(0, key.indexOf(":"))) || key, start: round(performance.now() - current.arrival) };
    current.ops.push(entry);
    inFlight++;
    return run().finally(() => {
      entry.end = round(performance.now() - current.arrival);
      inFlight--;
    });
  };
  return {
    name: store.name,
    atomic: store.atomic,
    maxValueBytes: store.maxValueBytes,
    get: (key) => track("get", key, () => store.get(key)),
    set: (key, value, options) => track("set", key, () => store.set(key, value, options)),
    delete: (key) => track("delete", key, () => store.delete(key)),
  };
}

/** The store with every operation taking `ms`: the request's half of the way, the operation, the answer's half. */
function delayed(store: ConversationStore, ms: number): ConversationStore {
  const far = async <T>(run: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    await until(start + ms / 2);
    try {
      return await run();
    } finally {
      await until(start + ms);
    }
  };
  return {
    // Not "memory": the app gives the memory store's replay keys their own map in process, a remote store gets them.
    name: `memory, ${ms} ms per operation`,
    atomic: store.atomic,
    get: (key) => far(() => store.get(key)),
    set: (key, value, options) => far(() => store.set(key, value, options)),
    delete: (key) => far(() => store.delete(key)),
  };
}

/** The scripted model of bench/fixture.mjs, noting when it is asked and sending that in its `response.data`. */
function asked(): AsyncIterable<string | { data: unknown }> {
  const current = turn;
  const modelAskedMs = current.modelAskedMs = round(performance.now() - current.arrival);
  const ops = current.ops.map((o) => ({ ...o }));
  return (async function* () {
    yield { data: { ...DATA_CONTENT, bench: { modelAskedMs, ops } } };
    yield* DELTAS;
  })();
}

async function openStore(): Promise<ConversationStore> {
  if (config.store === "delay") return delayed(createMemoryStore(), config.delayMs ?? 25);
  if (config.store === "redis") {
    const { openRedisStore } = await import("../../storage/redis.ts");
    return await openRedisStore({ url: config.url!, prefix: `bench-remote:${Date.now().toString(36)}:` });
  }
  if (config.store === "upstash") {
    const { openUpstashStore } = await import("../../storage/upstash.ts");
    return openUpstashStore({ url: config.url!, token: config.token! });
  }
  throw new Error(`BENCH_REMOTE: unknown store ${JSON.stringify(config.store)}`);
}

let fetchApp: (request: Request) => Response | Promise<Response>;
if (config.subject === "official") {
  // official.ts calls `scriptedModel.stream()` on the shared fixture object at each turn: only this process sees this.
  (scriptedModel as { stream: () => AsyncIterable<unknown> }).stream = asked;
  fetchApp = (await import("./official.ts")).default.fetch;
} else if (config.subject === "ours") {
  const model: ModelProvider = { name: scriptedModel.name, model: scriptedModel.model, stream: (_input: ModelInput) => asked() };
  const app = createApp({
    model,
    store: recorded(await openStore()),
    env: { LAYERCODE_WEBHOOK_SECRET: SECRET, LOG_LEVEL: "warn" },
    hooks: { onTurn: () => void (turn.reported = true) },
  });
  fetchApp = app.fetch;
} else {
  throw new Error(`BENCH_REMOTE: unknown subject ${JSON.stringify(config.subject)}`);
}

/**
 * Answers once the turn in flight is over: ours has reported it (`onTurn` runs after its writes) and no store
 * operation has been in flight for 2 ms (a turn may pause between two writes). At most 5 s.
 */
async function settle(request: Request): Promise<Response> {
  void request.body?.cancel();
  const current = turn;
  const deadline = performance.now() + 5000;
  let quietSince: number | undefined;
  while (performance.now() < deadline) {
    const over = (current.reported || config.subject !== "ours") && inFlight === 0;
    if (!over) quietSince = undefined;
    else if (quietSince === undefined) quietSince = performance.now();
    else if (performance.now() - quietSince >= 2) return Response.json({ modelAskedMs: current.modelAskedMs, ops: current.ops });
    await sleep(1);
  }
  return Response.json({ error: `the turn is not over after 5 s (${inFlight} store operations in flight)` }, { status: 504 });
}

export default {
  fetch(request: Request): Response | Promise<Response> {
    const arrival = performance.now();
    if (request.method === "GET" && request.url.endsWith("/bench/settled")) return settle(request);
    turn = { arrival, ops: [] };
    return fetchApp(request);
  },
};
