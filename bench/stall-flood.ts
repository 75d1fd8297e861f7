/**
 * Memory under floods of stalled uploads (issue 12, item 2), on real Bun, Deno and Node server processes: ROUNDS
 * floods, one after the other, of COUNT uploads at once that declare 250,000 bytes, send 200,000 and stop (the audit's
 * flood: 800 uploads of 250 KB). Prints the server's RSS (VmRSS) before, while the first flood stalls, 1 s after its
 * body deadline (`BODY_TIMEOUT_MS`) and after each later flood, how many uploads were answered 408 and closed, and
 * PASS or MISS for each target:
 *   - answered: every upload answered 408 and its connection closed (before the fix none was closed after 130 s);
 *   - released: RSS 10 s after the first flood was answered within +100 MB of the baseline (before the fix 800
 *     uploads left Bun +206 MB and Deno +360 MB, held for as long as the clients stayed);
 *   - bounded: RSS after the last flood within +100 MB of RSS after the first (floods do not pile up).
 * Loopback only; Linux (/proc).
 *
 *   bun bench/stall-flood.ts [count] [runtimes] [rounds]      e.g. `bun bench/stall-flood.ts 800 bun,deno,node 3`
 *
 * Environment: BENCH_BODY_TIMEOUT_MS (default 10000, the app's default).
 */
import { startServer, TARGETS } from "../tests/support/server-process.ts";
import { listeningPid, processMemory, startStalledFlood } from "../tests/support/stall-flood.ts";

const COUNT = Number(process.argv[2] ?? 800);
const RUNTIMES = (process.argv[3] ?? "bun,deno,node").split(",") as (keyof typeof TARGETS)[];
const ROUNDS = Math.max(1, Number(process.argv[4] ?? 3));
const BODY_TIMEOUT_MS = Number(process.env.BENCH_BODY_TIMEOUT_MS ?? 10_000);
const TARGET_BYTES = 100e6;
const mb = (bytes: number) => `${bytes >= 0 ? "+" : ""}${(bytes / 1e6).toFixed(0)} MB`;
const verdict = (ok: boolean) => (ok ? "PASS" : "MISS");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

console.log(
  `${ROUNDS} × ${COUNT} uploads declaring 250000 bytes, stalled after 200000; BODY_TIMEOUT_MS=${BODY_TIMEOUT_MS}`,
);
for (const name of RUNTIMES) {
  const server = await startServer(TARGETS[name], {
    LAYERCODE_WEBHOOK_SECRET: "whsec_bench",
    SESSION_STORE: "memory",
    LOG_LEVEL: "warn",
    BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS),
    IDLE_TIMEOUT_SECONDS: String(Math.min(255, Math.ceil(BODY_TIMEOUT_MS / 1000) + 20)),
  });
  try {
    const pid = listeningPid(Number(new URL(server.url).port));
    if (!pid) throw new Error(`no process listens on ${server.url}`);
    for (let i = 0; i < 20; i++) await (await fetch(`${server.url}/health`)).arrayBuffer();
    await sleep(500);
    const before = processMemory(pid).rss;
    let during = 0;
    let settled = 0;
    const after: number[] = [];
    let answered = 0;
    let closed = 0;
    let slowestMs = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      const flood = startStalledFlood(server.url, {
        count: COUNT,
        declaredBytes: 250_000,
        sentBytes: 200_000,
        waitMs: BODY_TIMEOUT_MS + 20_000,
      });
      if (round === 0) {
        await flood.sent.catch(() => {});
        await sleep(Math.min(1000, BODY_TIMEOUT_MS / 4));
        during = processMemory(pid).rss;
      }
      const uploads = await flood.done;
      slowestMs = Math.max(slowestMs, performance.now() - started);
      answered += uploads.filter((u) => u.status === 408).length;
      closed += uploads.filter((u) => u.closed).length;
      await sleep(1000);
      after.push(processMemory(pid).rss);
      if (round === 0) {
        await sleep(9000);
        settled = processMemory(pid).rss;
      }
    }
    const total = COUNT * ROUNDS;
    const released = settled - before;
    const piledUp = after[after.length - 1] - after[0];
    console.log(
      `${name.padEnd(5)} baseline ${(before / 1e6).toFixed(0)} MB; first flood: during ${mb(during - before)}, ` +
        `1 s after ${mb(after[0] - before)}, 10 s after ${mb(released)}; after each flood ${after.map((rss) => mb(rss - before)).join(", ")}; ` +
        `peak ${mb(processMemory(pid).peak - before)}\n` +
        `      answered 408 ${answered}/${total}, closed ${closed}/${total}, each flood done within ` +
        `${(slowestMs / 1000).toFixed(1)} s: ${verdict(answered === total && closed === total)}; ` +
        `released (< +100 MB): ${verdict(released < TARGET_BYTES)}; bounded (last - first < 100 MB): ` +
        `${verdict(piledUp < TARGET_BYTES)}`,
    );
  } finally {
    await server.stop();
  }
}
