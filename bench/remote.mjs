// The "remote store" section of `npm run bench` (bench/run.mjs, `--only=remote`): how long after a webhook arrives the
// model is asked, and the first SSE data frame is out, when the conversation store is one network round trip away.
//
// Subjects, each in its own server process (bench/servers/remote.ts) on the runtime measured:
// - ours on the memory store behind a wrapper that makes every operation take BENCH_REMOTE_RTT_MS (25 ms);
// - ours on the real Redis store and on the real Upstash store (tests/support/upstash-server.ts, Upstash's REST
//   protocol over the same Redis, in a process of its own), each behind bench/latency-proxy.mjs, which delays every
//   chunk by half the round trip in each direction;
// - for reference, the official SDK path (bench/servers/official.ts) with its in-memory history.
// A sequential client (node:http, one keep-alive connection) sends signed 1 KB `message` webhooks, conversations
// of TURNS_PER_CONVERSATION turns, and after each turn waits (GET /bench/settled) until the server has no store
// operation in flight, so that one turn's writes never overlap the next turn. The server notes the arrival, each
// store operation and the model call; the round trips before the model are the longest chain of operations that
// ran one after the other and ended before the model was asked (operations that overlap count once).
import { spawn } from "node:child_process";
import { Agent } from "node:http";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { messageBody } from "./fixture.mjs";
import { percentile, postWebhook, sign } from "./load.mjs";
import { startLatencyProxy } from "./latency-proxy.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TURNS_PER_CONVERSATION = 4;
const WARM_UP_TURNS = 8;

/** The subjects, in the order they run and are reported. */
export const REMOTE_SUBJECTS = {
  delay: { subject: "ours", store: "delay", label: "ours, memory store + fixed delay per operation" },
  redis: { subject: "ours", store: "redis", label: "ours, Redis store behind the latency proxy" },
  upstash: { subject: "ours", store: "upstash", label: "ours, Upstash REST store behind the latency proxy" },
  official: { subject: "official", label: "official SDK path, in-memory history (reference)" },
};

const round3 = (ms) => Math.round(ms * 1000) / 1000;
function summary(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!sorted.length) return undefined;
  return { p50: round3(percentile(sorted, 0.5)), p99: round3(percentile(sorted, 0.99)), min: round3(sorted[0]), max: round3(sorted.at(-1)) };
}

/**
 * The round trips before the model: the most operations that ended before it was asked and ran one after the
 * other (the greedy choice by end time finds the longest such chain), with the chain's operations named.
 */
export function roundTripsBefore(ops, askedMs) {
  const done = ops.filter((o) => o.end !== undefined && o.end <= askedMs).sort((a, b) => a.end - b.end);
  const chain = [];
  for (const op of done) if (!chain.length || op.start >= chain.at(-1).end) chain.push(op);
  // Each finished operation belongs to the step after the chain's operations that ended before it started.
  const steps = chain.map(() => []);
  for (const op of done) steps[chain.filter((c) => c.end <= op.start).length]?.push(`${op.key} ${op.op}`);
  const pending = ops.filter((o) => o.start <= askedMs && !(o.end !== undefined && o.end <= askedMs)).map((o) => `${o.key} ${o.op}`);
  const path = steps.map((s) => s.join(" ‖ ")).join(" → ") || "no store operation";
  return { count: chain.length, steps: path + (pending.length ? ` (in flight: ${pending.join(", ")})` : "") };
}

function webhook(run, n) {
  return messageBody(n, run, `${run}_${String(Math.floor(n / TURNS_PER_CONVERSATION)).padStart(6, "0")}`);
}

/** One turn: the time to the first `data:` frame at the client, and the `bench` note of the `response.data` frame. */
async function turn(port, agent, body) {
  const headers = { "content-type": "application/json", "layercode-signature": sign(body) };
  const { status, text, firstFrameMs } = await postWebhook(port, agent, body, headers, "remote store turn");
  if (status !== 200) throw new Error(`status ${status}: ${text.slice(0, 300)}`);
  const frames = text.split("\n\n").filter((f) => f.startsWith("data: ")).map((f) => JSON.parse(f.slice(6)));
  const note = frames.find((f) => f.type === "response.data")?.content?.bench;
  if (!note) throw new Error(`no response.data frame with the bench note: ${text.slice(0, 300)}`);
  if (frames.at(-1)?.type !== "response.end" || frames.length !== 22) {
    throw new Error(`${frames.length} frames, the last ${frames.at(-1)?.type}`);
  }
  return { firstFrameMs, ...note };
}

/** Waits until the server has no store operation in flight; resolves the turn's operations. */
async function settled(port) {
  const response = await fetch(`http://127.0.0.1:${port}/bench/settled`, { signal: AbortSignal.timeout(10_000) });
  const json = await response.json();
  if (!response.ok) throw new Error(`/bench/settled: ${json.error ?? response.status}`);
  return json;
}

/** Whether Redis answers PING at host:port, within a second. */
function redisAnswers(port, host = "127.0.0.1") {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on("error", () => done(false));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (d) => done(String(d).startsWith("+PONG")));
  });
}

/** Starts a process and resolves the first JSON line it prints, with the process. */
function startPrinting(track, cmd, args, env, what) {
  const child = track(spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] }));
  let err = "";
  child.stderr.on("data", (d) => (err = (err + d).slice(-1500)));
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${what}: no start line within 30 s: ${err}`));
    }, 30_000);
    child.stdout.on("data", (d) => {
      out += d;
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (!line) return;
      clearTimeout(timer);
      child.stdout.removeAllListeners("data");
      child.stdout.resume();
      resolve({ child, info: JSON.parse(line) });
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited ${code}: ${err.trim().slice(-800)}`));
    });
  });
}

/** How a runtime runs a TypeScript file (bench/run.mjs passes its own). */
function defaultCommand(runtime, file, args = []) {
  const bin = `${ROOT}node_modules/.bin/${runtime}`;
  return runtime === "bun" ? [bin, [file, ...args]] : [bin, ["run", "--allow-all", file, ...args]];
}

/** Stops a child: SIGTERM, then SIGKILL after 3 s (signals through process.kill: Deno's child.kill sends only the first). */
function defaultStop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const signal = (name) => {
      try {
        process.kill(child.pid, name);
      } catch { /* gone */ }
    };
    const kill = setTimeout(() => signal("SIGKILL"), 3000);
    const bound = setTimeout(resolve, 6000);
    child.once("exit", () => {
      clearTimeout(kill);
      clearTimeout(bound);
      resolve();
    });
    signal("SIGTERM");
  });
}

/**
 * Measures the subjects on one runtime; a subject that cannot run here (no Redis) is `{ label, skipped }`.
 * @param {string} runtime `bun` or `deno`
 * `quiet(pids)`, when given, is awaited before each subject's measured turns: bench/run.mjs's wait (within the run's
 * budget) for other processes to calm down, which resolves the cores they used.
 * @param {{ turns: number, rttMs: number, redisUrl: string, only?: string[], warmUpTurns?: number,
 *   command?: Function, track?: Function, stop?: Function, quiet?: (pids: number[]) => Promise<number> }} options
 */
export async function remoteStore(runtime, options) {
  const { turns, rttMs, redisUrl, command = defaultCommand, track = (child) => child, stop = defaultStop } = options;
  const warmUpTurns = options.warmUpTurns ?? WARM_UP_TURNS;
  const redis = new URL(redisUrl);
  const redisPort = Number(redis.port || 6379);
  const redisUp = await redisAnswers(redisPort, redis.hostname);
  const out = { rttMs, turns, turnsPerConversation: TURNS_PER_CONVERSATION, warmUpTurns, subjects: /** @type {Record<string, any>} */ ({}) };
  for (const [name, subject] of Object.entries(REMOTE_SUBJECTS)) {
    if (options.only && !options.only.includes(name)) continue;
    const cleanup = [];
    const pids = [];
    try {
      const config = { subject: subject.subject, store: subject.store, delayMs: rttMs };
      if (subject.store === "redis" || subject.store === "upstash") {
        if (!redisUp) throw new Error(`Redis does not answer at ${redisUrl}: run .ci/redis.sh or set REDIS_URL`);
        let targetPort = redisPort;
        if (subject.store === "upstash") {
          const [cmd, args] = command(runtime, "bench/upstash-serve.ts", [redisUrl]);
          const upstash = await startPrinting(track, cmd, args, {}, "the Upstash REST server");
          cleanup.push(() => stop(upstash.child));
          pids.push(upstash.child.pid);
          targetPort = Number(new URL(upstash.info.url).port);
          config.token = upstash.info.token;
        }
        const targetHost = subject.store === "upstash" ? "127.0.0.1" : redis.hostname;
        const proxy = await startLatencyProxy({ targetPort, targetHost, oneWayMs: rttMs / 2 });
        cleanup.push(() => proxy.close());
        if (subject.store === "upstash") config.url = `http://127.0.0.1:${proxy.port}`;
        else {
          const proxied = new URL(redisUrl);
          proxied.hostname = "127.0.0.1";
          proxied.port = String(proxy.port);
          config.url = proxied.href;
        }
      }
      const [cmd, args] = command(runtime, `bench/entries/${runtime}.ts`, ["remote"]);
      const server = await startPrinting(track, cmd, args, { BENCH_REMOTE: JSON.stringify(config) }, `${runtime} remote ${name}`);
      cleanup.push(() => stop(server.child));
      const port = server.info.port;
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      cleanup.push(() => agent.destroy());
      const run = `${runtime}_${name}_${Date.now().toString(36)}`;
      pids.push(server.child.pid);
      const samples = [];
      let backgroundCores;
      for (let n = 0; n < warmUpTurns + turns; n++) {
        if (n === warmUpTurns && options.quiet) backgroundCores = await options.quiet(pids);
        const note = await turn(port, agent, webhook(run, n));
        const all = await settled(port);
        if (n < warmUpTurns) continue;
        const trips = roundTripsBefore(note.ops, note.modelAskedMs);
        samples.push({ ...note, roundTrips: trips.count, steps: trips.steps, allOps: all.ops });
      }
      out.subjects[name] = { ...describe(subject, samples), backgroundCoresBefore: backgroundCores };
    } catch (error) {
      out.subjects[name] = { label: subject.label, skipped: String(error.message ?? error).slice(0, 400) };
    } finally {
      for (const step of cleanup.reverse()) await step();
    }
  }
  return out;
}

function describe(subject, samples) {
  const histogram = {};
  const paths = {};
  for (const s of samples) {
    histogram[s.roundTrips] = (histogram[s.roundTrips] ?? 0) + 1;
    paths[s.steps] = (paths[s.steps] ?? 0) + 1;
  }
  const count = (op) => samples.reduce((sum, s) => sum + s.allOps.filter((o) => o.op === op).length, 0) / samples.length;
  const reads = samples.flatMap((s) => s.allOps.filter((o) => o.op === "get" && o.end !== undefined).map((o) => o.end - o.start));
  const ops = samples.flatMap((s) => s.allOps.filter((o) => o.end !== undefined).map((o) => o.end - o.start));
  const sortedTrips = samples.map((s) => s.roundTrips).sort((a, b) => a - b);
  return {
    label: subject.label,
    samples: samples.length,
    modelAskedMs: summary(samples.map((s) => s.modelAskedMs)),
    firstFrameMs: summary(samples.map((s) => s.firstFrameMs)),
    roundTripsP50: sortedTrips.length ? percentile(sortedTrips, 0.5) : undefined,
    roundTrips: histogram,
    pathBeforeModel: Object.entries(paths).sort((a, b) => b[1] - a[1]).map(([path, n]) => ({ path, turns: n })),
    opsPerTurn: { get: count("get"), set: count("set"), delete: count("delete") },
    storeReadMs: summary(reads),
    storeOpMs: summary(ops),
  };
}

/** The section's targets, in bench/run.mjs's shape: the model asked within one round trip + 2 ms at p50. */
export function remoteTargets(results) {
  const list = [];
  for (const [runtime, run] of Object.entries(results.remote ?? {})) {
    const official = run.subjects.official;
    for (const [name, s] of Object.entries(run.subjects)) {
      if (REMOTE_SUBJECTS[name]?.subject !== "ours" || !s.modelAskedMs) continue;
      // The fixed-delay store's round trip is the delay; behind the proxy it is what a read took (proxy, client, server).
      const rtt = name === "delay" ? run.rttMs : s.storeReadMs?.p50 ?? run.rttMs;
      const threshold = rtt + 2;
      list.push({
        target: "model asked within 1 store round trip + 2 ms of the webhook's arrival (p50)",
        scope: `${runtime} ${s.label}`,
        measured: `${s.modelAskedMs.p50.toFixed(1)} ms, ${s.roundTripsP50} round trip${s.roundTripsP50 === 1 ? "" : "s"}`,
        threshold: `≤ ${threshold.toFixed(1)} ms`,
        pass: s.modelAskedMs.p50 <= threshold,
        note: `round trip ${rtt.toFixed(1)} ms${name === "delay" ? " (the fixed delay)" : " (a read's p50 through the proxy)"}; ` +
          `before the model: ${s.pathBeforeModel[0]?.path ?? "–"}; first data frame p50 ${s.firstFrameMs.p50.toFixed(1)} ms` +
          (official?.modelAskedMs ? `; official path (in-memory history): model asked ${official.modelAskedMs.p50.toFixed(2)} ms` : ""),
      });
    }
  }
  return list;
}
