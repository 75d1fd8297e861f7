// `npm run bench`: what our backend adds on top of the model, on Bun and on Deno, side by side with the Web-standard
// limit and the official SDK path; then signature, store, cold start, bundle and memory costs. Writes
// bench/results.json, BENCHMARKS.md and bench/chart.svg, and prints PASS or MISS for each target of issue 6.
//
//   npm run bench                      full run (about 5 minutes)
//   npm run bench -- --quick           about a minute; writes to bench/.tmp/ unless --write
//   npm run bench -- --only=turns,signature,pieces,store,cold,memory,profile,remote   some sections; writes to bench/.tmp/
//
// Section "remote" (bench/remote.mjs, section 8 of BENCHMARKS.md): the time from a webhook's arrival to the model
// request and to the first SSE data frame when the store is one round trip away: ours on the memory store with a
// fixed delay per operation, on the real Redis store and on the Upstash store (the local Upstash REST server over
// Redis) behind a latency-injecting TCP proxy (bench/latency-proxy.mjs), and the official path with in-memory
// history for reference; store round trips before the model counted from the server's own record of each operation.
// Needs Redis (.ci/redis.sh) for the proxied stores; about 25 s per runtime.
//
// Environment: BENCH_RUNTIMES (bun,deno), BENCH_DURATION (seconds of load per variant, split over the rounds),
// BENCH_ROUNDS, BENCH_CONNECTIONS, BENCH_TTFF_REQUESTS, BENCH_COLD_RUNS, BENCH_STORE_TURNS, BENCH_QUIET_BUDGET
// (seconds the whole run may wait for other processes to calm down), REDIS_URL, BENCH_REMOTE_TURNS (measured turns
// per remote-store subject, after 8 warm-up turns), BENCH_REMOTE_RTT_MS (the remote store's round trip, 25).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleSizes, providerBundleSizes, WORKERS_BUDGET_GZIP_BYTES } from "./bundle-size.mjs";
import { pageWeight } from "./page-weight.mjs";
import { FIXED_TURN_ID, frames } from "./fixture.mjs";
import { load, sign, signedRequest, timeToFirstFrame } from "./load.mjs";
import { remoteStore, remoteTargets } from "./remote.mjs";
import { renderChart, renderMarkdown } from "./report.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const argv = process.argv.slice(2);
const QUICK = argv.includes("--quick");
const onlyArg = argv.find((a) => a.startsWith("--only="))?.slice(7);
const ONLY = onlyArg ? new Set(onlyArg.split(",")) : undefined;
const WRITE = argv.includes("--write") || (!QUICK && !ONLY);
const section = (name) => (ONLY ? ONLY.has(name) : name !== "profile" || !QUICK);

const num = (name, fallback) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
const SETTINGS = {
  duration: num("BENCH_DURATION", QUICK ? 2 : 9),
  rounds: num("BENCH_ROUNDS", QUICK ? 1 : 3),
  connections: num("BENCH_CONNECTIONS", 50),
  ttffRequests: num("BENCH_TTFF_REQUESTS", QUICK ? 50 : 200),
  coldRuns: num("BENCH_COLD_RUNS", QUICK ? 3 : 10),
  storeTurns: num("BENCH_STORE_TURNS", QUICK ? 50 : 200),
  remoteTurns: num("BENCH_REMOTE_TURNS", QUICK ? 20 : 60),
  remoteRttMs: num("BENCH_REMOTE_RTT_MS", 25),
  memoryConversations: 10_000,
  memoryRounds: QUICK ? 2 : 3,
  quietBudget: num("BENCH_QUIET_BUDGET", QUICK ? 10 : 60),
};
const MAIN_VARIANTS = ["limit", "ours", "official", "streamsse"];
const SPLIT_VARIANTS = QUICK ? [] : ["split-hono", "split-verify", "split-async", "split-nullstore", "split-novoice"];
const RUNTIMES = (process.env.BENCH_RUNTIMES ?? "bun,deno").split(",").map((s) => s.trim()).filter(Boolean);
const BIN = { bun: join(ROOT, "node_modules/.bin/bun"), deno: join(ROOT, "node_modules/.bin/deno") };

/** How each runtime runs a TypeScript file. */
function command(runtime, file, args = [], flags = []) {
  return runtime === "bun"
    ? [BIN.bun, [...flags, file, ...args]]
    : [BIN.deno, ["run", "--allow-all", ...flags, file, ...args]];
}

// ---------------------------------------------------------------------------------------------- child processes

const children = new Set();
function killAll() {
  for (const child of children) {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }
}
process.on("exit", killAll);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

function track(child) {
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

function stop(child, timeoutMs = 3000, signal = "SIGTERM") {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
    }, timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

/** Runs a bench script to its end and returns the JSON of its `RESULT` line. */
function runScript(runtime, file, args = [], { flags = [], timeoutMs = 120_000 } = {}) {
  const [cmd, cmdArgs] = command(runtime, file, args, flags);
  return new Promise((resolve, reject) => {
    const child = track(spawn(cmd, cmdArgs, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] }));
    let out = "", err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err = (err + d).slice(-4000)));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      const line = out.split("\n").find((l) => l.startsWith("RESULT "));
      if (line) resolve(JSON.parse(line.slice(7)));
      else reject(new Error(`${runtime} ${file} exited ${code ?? signal} without a result: ${err.trim().slice(-800)}`));
    });
  });
}

/** Starts a bench server (bench/entries/<runtime>.ts <variant>) and resolves once it told its port. */
function startServer(runtime, variant, flags = []) {
  const [cmd, args] = command(runtime, `bench/entries/${runtime}.ts`, [variant], flags);
  const child = track(spawn(cmd, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] }));
  const server = { runtime, variant, child, pid: child.pid, stderrLines: 0, stderrTail: "" };
  child.stderr.on("data", (d) => {
    const text = String(d);
    server.stderrLines += text.split("\n").length - 1;
    server.stderrTail = (server.stderrTail + text).slice(-1500);
  });
  return new Promise((resolve, reject) => {
    let buffer = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${runtime} ${variant}: no port within 30 s: ${server.stderrTail}`));
    }, 30_000);
    child.stdout.on("data", (d) => {
      buffer += d;
      const line = buffer.split("\n").find((l) => l.startsWith("{"));
      if (line && server.port === undefined) {
        clearTimeout(timer);
        Object.assign(server, JSON.parse(line));
        resolve(server);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (server.port === undefined) reject(new Error(`${runtime} ${variant} exited ${code}: ${server.stderrTail}`));
    });
  });
}

// ----------------------------------------------------------------------------------------- CPU and noise accounting

const TICK_MS = 10; // USER_HZ is 100 on Linux
function machineTicks() {
  const [, ...fields] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields.map(Number);
  return { busy: user + nice + system + irq + softirq + steal, total: user + nice + system + idle + iowait + irq + softirq + steal };
}
function processTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}
function rssBytes(pid) {
  try {
    const kb = readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)?.[1];
    return kb ? Number(kb) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
const ownTicks = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000 / TICK_MS;
};

/** CPU used by processes other than this runner and the given servers, in cores, over `ms`. */
async function backgroundCores(pids, ms = 500) {
  const before = { machine: machineTicks(), own: ownTicks(), pids: pids.map(processTicks) };
  await sleep(ms);
  const machine = machineTicks();
  const ours = ownTicks() - before.own + pids.reduce((sum, pid, i) => sum + processTicks(pid) - before.pids[i], 0);
  return Math.max(0, (machine.busy - before.machine.busy - ours) / (ms / TICK_MS));
}

let quietBudgetMs = SETTINGS.quietBudget * 1000;
/** Waits (within the run's budget) until other processes use less than 0.25 of a core; returns what it saw. */
async function waitForQuiet(pids) {
  let cores = await backgroundCores(pids);
  while (cores > 0.25 && quietBudgetMs > 0) {
    const started = Date.now();
    await sleep(1000);
    cores = await backgroundCores(pids);
    quietBudgetMs -= Date.now() - started;
  }
  return cores;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values) => {
  const sorted = values.filter((v) => v !== undefined && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return undefined;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

// --------------------------------------------------------------------------------------------- 1. full turns

/** One request with node:http, whole body: for checking each server before the load. */
async function check(server, { badSignature = false } = {}) {
  const { body, headers } = signedRequest("check");
  if (badSignature) headers["layercode-signature"] = sign(body + " ");
  const response = await fetch(`http://127.0.0.1:${server.port}/agent`, { method: "POST", headers, body });
  return { status: response.status, text: await response.text(), turnId: JSON.parse(body).turn_id };
}

/** Variants that verify the signature: a bad one must be refused. */
const VERIFYING = new Set(["ours", "official", "split-nullstore", "split-novoice", "split-verify"]);

/**
 * Checks a server's answer to one signed turn before the load: status 200, exactly the fixture's 22 frames, a bad
 * signature refused where the variant verifies. Returns the answer body's size, which every answer under load must
 * reach (autocannon counts only statuses, so a stream cut short with a 200 would otherwise pass unseen).
 */
async function validate(server) {
  const { status, text, turnId } = await check(server);
  if (status !== 200) throw new Error(`${server.runtime} ${server.variant}: status ${status}: ${text.slice(0, 200)}`);
  // SSE comments (ours opens each turn with one, to flush the headers) are not frames.
  const got = text.split("\n\n").filter((f) => f && !f.startsWith(":")).map((f) => JSON.parse(f.slice(6)));
  const fixed = !["ours", "official", "split-nullstore", "split-novoice"].includes(server.variant);
  const expected = frames(fixed ? FIXED_TURN_ID : turnId).map((f) => JSON.parse(f.slice(6)));
  if (JSON.stringify(got) !== JSON.stringify(expected)) {
    throw new Error(`${server.runtime} ${server.variant}: the frames differ from the fixture's 22: ${text.slice(0, 300)}`);
  }
  if (VERIFYING.has(server.variant)) {
    const bad = await check(server, { badSignature: true });
    // split-verify has no error handler: the runtime answers its throw with a 500.
    const refused = server.variant === "split-verify" ? bad.status >= 400 : bad.status === 401;
    if (!refused) throw new Error(`${server.runtime} ${server.variant}: a bad signature got ${bad.status}`);
  }
  return Buffer.byteLength(text);
}

/** Throws when a load run's answers were shorter on average than the validated turn's body (cut-short streams). */
function checkComplete(server, result) {
  if (result.requests && result.bytesPerResponse < server.bodyBytes) {
    throw new Error(
      `${server.runtime} ${server.variant}: ${result.bytesPerResponse} bytes per answer under load, less than the ${server.bodyBytes} bytes ` +
        "of the validated turn's body: streams were cut short, the figures would not be of full turns",
    );
  }
}

async function turns(runtime) {
  const variants = [...MAIN_VARIANTS, ...SPLIT_VARIANTS];
  const servers = [];
  try {
    for (const variant of variants) servers.push(await startServer(runtime, variant));
    const pids = servers.map((s) => s.pid);
    for (const server of servers) server.bodyBytes = await validate(server);
    for (const server of servers) await load({ port: server.port, duration: 1, connections: SETTINGS.connections, run: "warm" });

    const perRound = Math.max(1, Math.round(SETTINGS.duration / SETTINGS.rounds));
    const rounds = Object.fromEntries(variants.map((v) => [v, []]));
    for (let round = 0; round < SETTINGS.rounds; round++) {
      // Rotate the order each round, so that no variant always runs first or last.
      const order = variants.map((_, i) => servers[(i + round) % servers.length]);
      for (const server of order) {
        const background = await waitForQuiet(pids);
        const before = { machine: machineTicks(), own: ownTicks(), server: processTicks(server.pid) };
        const result = await load({ port: server.port, duration: perRound, connections: SETTINGS.connections, run: `${runtime}${round}` });
        checkComplete(server, result);
        const machine = machineTicks();
        const serverTicks = processTicks(server.pid) - before.server;
        const elapsed = machine.total - before.machine.total; // summed over cores
        const clientTicks = ownTicks() - before.own;
        const other = machine.busy - before.machine.busy - serverTicks - clientTicks;
        rounds[server.variant].push({
          ...result,
          serverCpuUsPerRequest: result.requests ? (serverTicks * TICK_MS * 1000) / result.requests : undefined,
          serverCores: serverTicks / (elapsed / cpus().length),
          clientCores: clientTicks / (elapsed / cpus().length),
          backgroundCoresBefore: background,
          backgroundCoresDuring: Math.max(0, other / (elapsed / cpus().length)),
        });
        process.stdout.write(
          `  ${runtime} ${server.variant.padEnd(16)} round ${round + 1}: ${result.reqPerSec.toFixed(0).padStart(6)} req/s` +
            `  p50 ${result.latencyP50} ms  p99 ${result.latencyP99} ms` +
            `  cores: server ${rounds[server.variant].at(-1).serverCores.toFixed(2)}, client ${rounds[server.variant].at(-1).clientCores.toFixed(2)}, other ${rounds[server.variant].at(-1).backgroundCoresDuring.toFixed(2)}` +
            (result.non2xx || result.errors ? `  non-2xx ${result.non2xx} errors ${result.errors}` : "") + "\n",
        );
      }
    }

    const out = {};
    for (const server of servers) {
      const ttff = await timeToFirstFrame({ port: server.port, requests: SETTINGS.ttffRequests, run: `${runtime}ttff` });
      const rs = rounds[server.variant];
      const requests = rs.reduce((sum, r) => sum + r.requests, 0);
      out[server.variant] = {
        reqPerSec: median(rs.map((r) => r.reqPerSec)),
        latencyP50: median(rs.map((r) => r.latencyP50)),
        latencyP99: median(rs.map((r) => r.latencyP99)),
        requests,
        non2xx: rs.reduce((sum, r) => sum + r.non2xx, 0),
        errors: rs.reduce((sum, r) => sum + r.errors + r.timeouts, 0),
        bytesPerResponse: rs[0]?.bytesPerResponse,
        serverCpuUsPerRequest: median(rs.map((r) => r.serverCpuUsPerRequest)),
        serverCores: median(rs.map((r) => r.serverCores)),
        clientCores: median(rs.map((r) => r.clientCores)),
        backgroundCores: Math.max(...rs.map((r) => r.backgroundCoresDuring)),
        serverRssAfter: rssBytes(server.pid),
        serverStderrLines: server.stderrLines,
        ttffP50: ttff.p50,
        ttffP99: ttff.p99,
        ttffMin: ttff.min,
        rounds: rs,
      };
      console.log(
        `  ${runtime} ${server.variant.padEnd(16)} median ${out[server.variant].reqPerSec.toFixed(0).padStart(6)} req/s` +
          `  TTFF p50 ${ttff.p50.toFixed(3)} ms  server ${out[server.variant].serverCpuUsPerRequest?.toFixed(0)} µs CPU/turn`,
      );
    }
    return { version: servers[0]?.runtime, variants: out, attribution: attribution(out) };
  } finally {
    await Promise.all(servers.map((s) => stop(s.child)));
  }
}

/** Ours' server CPU per turn above the limit's, split by the split variants (each differs from its base in one thing). */
function attribution(v) {
  const cpu = (name) => v[name]?.serverCpuUsPerRequest;
  if (cpu("ours") === undefined || cpu("limit") === undefined) return undefined;
  const parts = [
    ["Hono routing", "split-hono", "limit"],
    ["signature check (verifySignature, WebCrypto)", "split-verify", "limit"],
    ["frames from the async generator, enqueued one by one", "split-async", "limit"],
    ["voice sanitizer", "ours", "split-novoice"],
    ["memory store reads and writes", "ours", "split-nullstore"],
  ].filter(([, a, b]) => cpu(a) !== undefined && cpu(b) !== undefined)
    .map(([what, a, b]) => ({ what, from: `${a} − ${b}`, us: cpu(a) - cpu(b) }));
  const extra = cpu("ours") - cpu("limit");
  const rest = extra - parts.reduce((sum, p) => sum + p.us, 0);
  return {
    limitUs: cpu("limit"),
    oursUs: cpu("ours"),
    officialUs: cpu("official"),
    extraUs: extra,
    parts: [...parts, { what: "the rest of the app (handler, events, history serialization, turn bookkeeping)", from: "remainder", us: rest }],
  };
}

// ------------------------------------------------------------------------------------------------ 4. cold start

const PLATFORM = { bun: "platforms/bun.ts", deno: "platforms/deno.ts" };

/** Process start to the first 200 of `GET <path>`, for a command that prints its URL or a `{"port":N}` line. */
async function coldStartOnce(cmd, args, path) {
  const env = { ...process.env, PORT: "0", HOST: "127.0.0.1", LAYERCODE_WEBHOOK_SECRET: "bench-cold-start", LOG_LEVEL: "warn" };
  for (const name of ["SESSION_STORE", "REDIS_URL", "UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN", "KV_REST_API_URL", "KV_REST_API_TOKEN", "DENO_KV_PATH"]) {
    delete env[name];
  }
  const start = performance.now();
  const child = track(spawn(cmd, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] }));
  let err = "";
  child.stderr.on("data", (d) => (err = (err + d).slice(-1000)));
  try {
    const base = await new Promise((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`no listening line in 30 s: ${err}`)), 30_000);
      child.stdout.on("data", (d) => {
        out += d;
        const url = out.match(/listening on (http:\/\/[^\s]+)/)?.[1];
        const port = out.match(/^\{"port":(\d+)/m)?.[1];
        if (url || port) {
          clearTimeout(timer);
          resolve(url ?? `http://127.0.0.1:${port}`);
        }
      });
      child.on("exit", (code) => reject(new Error(`exited ${code} before listening: ${err}`)));
    });
    for (let attempt = 0; attempt < 200; attempt++) {
      const response = await fetch(base + path).catch(() => undefined);
      await response?.arrayBuffer();
      if (response?.status === 200) return performance.now() - start;
      await sleep(5);
    }
    throw new Error(`no 200 from ${path}`);
  } finally {
    await stop(child);
  }
}

/**
 * The runtimes the test suite serves through a Node launcher: workerd (miniflare), Vercel's Edge Runtime and Node.
 * Their time includes bundling with esbuild and starting the emulator, so it bounds, not measures, a deployed cold start.
 */
const LAUNCHED = {
  "workerd: esbuild bundle + miniflare → GET /health": "tests/support/serve-workerd.mjs",
  "edge: esbuild bundle + edge-runtime → GET /health": "tests/support/serve-edge.mjs",
  "node: esbuild bundle + @hono/node-server → GET /health": "tests/support/serve-node.mjs",
};

async function coldStart(runtime) {
  const subjects = {
    [`${PLATFORM[runtime]} → GET /health`]: () => [...command(runtime, PLATFORM[runtime]), "/health"],
    "bare runtime (bench limit handler) → GET /": () => [...command(runtime, `bench/entries/${runtime}.ts`, ["limit"]), "/"],
  };
  return timeStarts(subjects);
}

async function launchedColdStart() {
  return timeStarts(Object.fromEntries(Object.entries(LAUNCHED).map(([name, script]) => [name, () => ["node", [script], "/health"]])));
}

async function timeStarts(subjects) {
  const rows = {};
  for (const [name, make] of Object.entries(subjects)) {
    const [cmd, args, path] = make();
    try {
      await coldStartOnce(cmd, args, path); // discarded: fills the runtime's compile cache
      const times = [];
      for (let i = 0; i < SETTINGS.coldRuns; i++) times.push(await coldStartOnce(cmd, args, path));
      times.sort((a, b) => a - b);
      rows[name] = { runs: times.length, medianMs: median(times), minMs: times[0], maxMs: times.at(-1) };
    } catch (error) {
      rows[name] = { error: error.message.slice(0, 300) };
    }
  }
  return rows;
}

// ------------------------------------------------------------------------------------------------- 6. profile

/** Ours under load with a sampling profiler attached; returns the load result. */
async function profiledLoad(runtime, flags, signal) {
  const server = await startServer(runtime, "ours", flags);
  try {
    await load({ port: server.port, duration: 1, connections: SETTINGS.connections, run: "profwarm" });
    const duration = Math.max(3, Math.round(SETTINGS.duration / 2));
    return await load({ port: server.port, duration, connections: SETTINGS.connections, run: "prof" });
  } finally {
    await stop(server.child, 10_000, signal);
  }
}

/** Bun's `--cpu-prof`: the functions with the most self time, and self time summed by source file. */
async function profileBun(dir) {
  const result = await profiledLoad("bun", ["--cpu-prof", "--cpu-prof-md", `--cpu-prof-dir=${dir}`, "--cpu-prof-name=bun.md"], "SIGTERM");
  const md = join(dir, "bun.md.md");
  if (!existsSync(md)) return { error: "Bun wrote no profile" };
  const text = readFileSync(md, "utf8");
  const rows = [];
  for (const line of text.slice(text.indexOf("## Hot Functions")).split("\n").slice(4)) {
    if (!line.startsWith("|")) break;
    const cells = line.split("|").slice(1, -1).map((c) => c.trim().replace(/`/g, ""));
    rows.push({ selfPercent: parseFloat(cells[0]), fn: cells[4], location: cells[5].replace(ROOT, "") });
  }
  return { tool: "bun --cpu-prof", reqPerSecUnderProfiler: result.reqPerSec, top: rows.slice(0, 15), selfByPlace: byPlace(rows) };
}

/** Deno's V8 `--prof` log, read by Node's `--prof-process` (code states of newer V8 tiers mapped to optimized). */
async function profileDeno(dir) {
  const log = join(dir, "deno-v8.log");
  const result = await profiledLoad("deno", [`--v8-flags=--prof,--no-logfile-per-isolate,--logfile=${log}`], "SIGINT");
  if (!existsSync(log)) return { error: "Deno wrote no V8 log" };
  writeFileSync(log, readFileSync(log, "utf8").replace(/,\+'?$/gm, ",*"));
  const text = await new Promise((resolve) => {
    const child = track(spawn(process.execPath, ["--prof-process", log], { stdio: ["ignore", "pipe", "ignore"] }));
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("exit", () => resolve(out));
  });
  const total = Number(text.match(/\((\d+) ticks/)?.[1]);
  const rows = [];
  for (const name of ["[Shared libraries]:", "[JavaScript]:", "[C++]:"]) {
    const start = text.indexOf(name);
    if (start < 0) continue;
    for (const line of text.slice(start).split("\n").slice(2)) {
      const m = line.match(/^\s+(\d+)\s+([\d.]+)%\s+(?:[\d.]+%\s+)?(.+)$/);
      if (!m) break;
      const what = m[3].replace(/file:\/\/\/?/, "").replace(ROOT.replace(/^\//, ""), "").replace(ROOT, "");
      const [fn, location] = what.startsWith("JS: ") ? what.slice(4).replace(/^[*~^+]/, "").split(" ") : [what, "[native]"];
      rows.push({ selfPercent: parseFloat(m[2]), fn, location: location ?? "" });
    }
  }
  rows.sort((a, b) => b.selfPercent - a.selfPercent);
  return { tool: "deno --v8-flags=--prof + node --prof-process", ticks: total, reqPerSecUnderProfiler: result.reqPerSec, top: rows.slice(0, 15), selfByPlace: byPlace(rows) };
}

function byPlace(rows) {
  const places = {};
  for (const row of rows) {
    const place = /^(lib|handlers|llm|storage|bench|node_modules)\//.test(row.location)
      ? row.location.replace(/:\d+(:\d+)?$/, "").replace(/^(node_modules\/(@[^/]+\/)?[^/]+).*/, "$1")
      : `${row.location || "[native]"} ${row.fn}`.slice(0, 80);
    places[place] = (places[place] ?? 0) + row.selfPercent;
  }
  return Object.entries(places).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([place, selfPercent]) => ({ place, selfPercent: +selfPercent.toFixed(1) }));
}

async function profile(runtimes) {
  const dir = join(ROOT, "bench/.tmp/profile");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const out = {};
  for (const runtime of runtimes) {
    try {
      out[runtime] = runtime === "bun" ? await profileBun(dir) : await profileDeno(dir);
    } catch (error) {
      out[runtime] = { error: error.message.slice(0, 300) };
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------------------ targets

function targets(results) {
  const list = [];
  const add = (target, scope, measured, threshold, pass, note) => list.push({ target, scope, measured, threshold, pass, note });
  for (const [runtime, turn] of Object.entries(results.turns ?? {})) {
    const v = turn.variants;
    if (!v?.ours || !v.limit || !v.official) continue;
    const vsLimit = v.ours.reqPerSec / v.limit.reqPerSec;
    const vsOfficial = v.ours.reqPerSec / v.official.reqPerSec;
    const ttff = v.ours.ttffP50 - v.limit.ttffP50;
    const cpu = (name) => `${v[name].serverCpuUsPerRequest?.toFixed(0)} µs`;
    add("full turn throughput ≥ 85% of the limit", runtime, `${(vsLimit * 100).toFixed(0)}%`, "≥ 85%", vsLimit >= 0.85,
      `server CPU per turn: ours ${cpu("ours")}, limit ${cpu("limit")}`);
    add("full turn throughput ≥ 1.1× the official SDK path", runtime, `${vsOfficial.toFixed(2)}×`, "≥ 1.10×", vsOfficial >= 1.1,
      `server CPU per turn: ours ${cpu("ours")}, official ${cpu("official")}`);
    add("time to first frame within 1 ms of the limit (p50)", runtime, `+${ttff.toFixed(3)} ms`, "≤ 1 ms", ttff <= 1);
  }
  for (const [runtime, run] of Object.entries(results.store ?? {})) {
    for (const store of run.stores ?? []) {
      if (!store.lengths) continue;
      const ops = store.lengths.map((l) => JSON.stringify(l.opsPerTurn));
      const flatOps = ops.every((o) => o === ops[0]);
      const at = (n) => store.lengths.find((l) => l.messages === n);
      add("store operations per turn flat in history length (10 → 200 → 1000)", `${runtime} ${store.name}`, ops[0], "same at every length", flatOps);
      if (at(200) && at(1000)) {
        const growth = at(1000).p50Us / at(200).p50Us;
        add("store time per turn bounded in history length (p50 at 1000 vs 200 messages)", `${runtime} ${store.name}`, `${growth.toFixed(2)}×`, "≤ 1.5×", growth <= 1.5,
          at(10) ? `10 → 200 messages: ${(at(200).p50Us / at(10).p50Us).toFixed(2)}× (the stored document grows up to the 50-message bound)` : undefined);
      }
    }
  }
  const workers = results.bundles?.workers;
  if (workers?.gzipBytes) {
    add("Workers bundle ≤ 25 KB gzipped with Gemini, without giving up a feature", "workers", `${(workers.gzipBytes / 1024).toFixed(1)} KB`,
      `≤ ${WORKERS_BUDGET_GZIP_BYTES / 1024} KB`, workers.gzipBytes <= WORKERS_BUDGET_GZIP_BYTES, "esbuild, minified (bench/bundle-size.mjs)");
  }
  for (const [runtime, memory] of Object.entries(results.memory ?? {})) {
    const steps = memory.ours?.steps;
    if (!steps || steps.length < 2) continue;
    const growth = steps.at(-1).heapUsed / steps[0].heapUsed;
    add(`memory bounded: JS heap after ${steps.at(-1).conversations / 1000}k vs ${steps[0].conversations / 1000}k conversations`, runtime, `${growth.toFixed(2)}×`, "≤ 1.10×", growth <= 1.1,
      `RSS ${(steps[0].rss / 2 ** 20).toFixed(0)} → ${(steps.at(-1).rss / 2 ** 20).toFixed(0)} MB`);
  }
  list.push(...remoteTargets(results));
  return list;
}

// --------------------------------------------------------------------------------------------------------- main

async function versionOf(bin, args) {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("exit", () => resolve(out.split("\n")[0].trim()));
    child.on("error", () => resolve(undefined));
  });
}

async function main() {
  const started = Date.now();
  const runtimes = [];
  for (const runtime of RUNTIMES) {
    if (!BIN[runtime]) console.log(`skipping unknown runtime "${runtime}"`);
    else if (!existsSync(BIN[runtime])) console.log(`skipping ${runtime}: ${BIN[runtime]} is missing (npm install)`);
    else runtimes.push(runtime);
  }
  const results = {
    date: new Date().toISOString(),
    quick: QUICK,
    machine: {
      cores: cpus().length,
      cpu: cpus()[0]?.model,
      loadAverageAtStart: loadavg(),
      node: process.version,
      bun: runtimes.includes("bun") ? await versionOf(BIN.bun, ["--version"]) : undefined,
      deno: runtimes.includes("deno") ? await versionOf(BIN.deno, ["--version"]) : undefined,
    },
    settings: { ...SETTINGS, variants: [...MAIN_VARIANTS, ...SPLIT_VARIANTS], logLevel: "warn" },
  };
  console.log(`bench on ${results.machine.cores} cores (${results.machine.cpu}), node ${process.version}, ${runtimes.map((r) => `${r} ${results.machine[r]}`).join(", ")}`);

  if (section("turns")) {
    results.turns = {};
    for (const runtime of runtimes) {
      console.log(`\n1. full turns on ${runtime}: ${SETTINGS.connections} connections, ${SETTINGS.rounds} × ${Math.round(SETTINGS.duration / SETTINGS.rounds)} s per variant`);
      results.turns[runtime] = await turns(runtime);
    }
  }
  if (section("signature")) {
    results.signature = {};
    for (const runtime of runtimes) {
      console.log(`\n2. signature verification on ${runtime}`);
      results.signature[runtime] = await runScript(runtime, "bench/signature.bench.ts");
      for (const r of results.signature[runtime].results) console.log(`  ${r.size.padEnd(6)} ${r.name.padEnd(28)} ${(r.avgNs / 1000).toFixed(1).padStart(7)} µs avg`);
    }
  }
  if (section("pieces")) {
    results.pieces = {};
    for (const runtime of runtimes) {
      console.log(`\n2. pieces of a turn, in process, on ${runtime}`);
      results.pieces[runtime] = await runScript(runtime, "bench/pieces.bench.ts");
      for (const r of results.pieces[runtime].results) console.log(`  ${r.name.padEnd(70)} ${r.skipped ?? `${(r.p50Ns / 1000).toFixed(1).padStart(7)} µs p50`}`);
    }
  }
  if (section("store")) {
    results.store = {};
    for (const runtime of runtimes) {
      console.log(`\n3. store cost per turn on ${runtime}`);
      results.store[runtime] = await runScript(runtime, "bench/store.bench.ts", [String(SETTINGS.storeTurns)]);
      for (const s of results.store[runtime].stores) {
        console.log(s.skipped ? `  ${s.name}: skipped: ${s.skipped}` : `  ${s.name}: ${s.lengths.map((l) => `${l.messages} msgs ${l.p50Us.toFixed(0)} µs`).join(", ")}`);
      }
    }
  }
  if (section("cold")) {
    results.coldStart = {};
    for (const runtime of runtimes) {
      console.log(`\n4. cold start on ${runtime}`);
      results.coldStart[runtime] = await coldStart(runtime);
      for (const [name, r] of Object.entries(results.coldStart[runtime])) console.log(`  ${name}: ${r.error ?? `${r.medianMs.toFixed(0)} ms median`}`);
    }
    console.log("\n4. start of the launched runtimes (bundle + emulator)");
    results.coldStart.launched = await launchedColdStart();
    for (const [name, r] of Object.entries(results.coldStart.launched)) console.log(`  ${name}: ${r.error ?? `${r.medianMs.toFixed(0)} ms median`}`);
    console.log("\n4. edge bundles");
    results.bundles = await bundleSizes();
    results.page = { ...(await pageWeight()), date: new Date().toISOString() };
    for (const [name, b] of Object.entries(results.bundles)) {
      console.log(`  ${name}: ${b.missing ?? b.error ?? `${(b.minifiedBytes / 1024).toFixed(1)} KB min, ${(b.gzipBytes / 1024).toFixed(1)} KB gzip`}`);
    }
    results.providerBundles = await providerBundleSizes();
    for (const [name, b] of Object.entries(results.providerBundles)) {
      console.log(`  ${name}: ${b.error ?? `${(b.minifiedBytes / 1024).toFixed(1)} KB min, ${(b.gzipBytes / 1024).toFixed(1)} KB gzip`}`);
    }
  }
  if (section("memory")) {
    results.memory = {};
    for (const runtime of runtimes) {
      console.log(`\n5. memory on ${runtime}`);
      results.memory[runtime] = {};
      for (const mode of ["ours", "official"]) {
        const flags = runtime === "deno" ? ["--v8-flags=--expose-gc"] : [];
        results.memory[runtime][mode] = await runScript(runtime, "bench/memory.bench.ts", [mode, String(SETTINGS.memoryConversations), "4", String(SETTINGS.memoryRounds)], { flags });
        const steps = results.memory[runtime][mode].steps;
        console.log(`  ${mode}: ${steps.map((s) => `${s.conversations / 1000}k: RSS ${(s.rss / 2 ** 20).toFixed(0)} MB, heap ${(s.heapUsed / 2 ** 20).toFixed(0)} MB`).join("; ")}`);
      }
    }
  }
  if (section("profile")) {
    console.log("\n6. profiles of ours under load");
    results.profile = await profile(runtimes);
    for (const [runtime, p] of Object.entries(results.profile)) {
      console.log(`  ${runtime}: ${p.error ?? p.tool}`);
      for (const row of p.selfByPlace ?? []) console.log(`  ${String(row.selfPercent).padStart(5)}%  ${row.place}`);
    }
  }

  if (section("remote")) {
    results.remote = {};
    for (const runtime of runtimes) {
      console.log(`\n8. remote store (${SETTINGS.remoteRttMs} ms round trip) on ${runtime}: ${SETTINGS.remoteTurns} sequential turns per subject`);
      results.remote[runtime] = await remoteStore(runtime, {
        command, track, stop,
        quiet: waitForQuiet,
        turns: SETTINGS.remoteTurns,
        rttMs: SETTINGS.remoteRttMs,
        redisUrl: process.env.REDIS_URL?.trim() || "redis://127.0.0.1:6390",
      });
      for (const s of Object.values(results.remote[runtime].subjects)) {
        console.log(s.skipped ? `  ${s.label}: skipped: ${s.skipped}` :
          `  ${s.label}: model asked p50 ${s.modelAskedMs.p50.toFixed(2)} ms, p99 ${s.modelAskedMs.p99.toFixed(2)} ms; ` +
            `first data frame p50 ${s.firstFrameMs.p50.toFixed(2)} ms, p99 ${s.firstFrameMs.p99.toFixed(2)} ms; ` +
            `round trips before the model ${s.roundTripsP50} (${s.pathBeforeModel[0]?.path ?? "–"})`);
      }
    }
  }

  results.machine.loadAverageAtEnd = loadavg();
  results.durationSeconds = Math.round((Date.now() - started) / 1000);
  results.targets = targets(results);

  console.log("\ntargets");
  for (const t of results.targets) {
    console.log(`  ${t.pass ? "PASS" : "MISS"}  ${t.target} [${t.scope}]: ${t.measured} (${t.threshold})${t.note ? ` — ${t.note}` : ""}`);
  }

  const outDir = WRITE ? ROOT : join(ROOT, "bench/.tmp");
  mkdirSync(join(outDir, "bench"), { recursive: true });
  const paths = { json: join(outDir, "bench/results.json"), md: join(outDir, "BENCHMARKS.md"), svg: join(outDir, "bench/chart.svg") };
  writeFileSync(paths.json, JSON.stringify(results, null, 2) + "\n");
  writeFileSync(paths.svg, renderChart(results));
  writeFileSync(paths.md, renderMarkdown(results));
  console.log(`\nwrote ${Object.values(paths).map((p) => p.replace(ROOT, "")).join(", ")} in ${results.durationSeconds} s`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
