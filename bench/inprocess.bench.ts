/**
 * Full signed turns in process, without sockets: `turns` signed `message` webhooks through a bench server's `fetch`
 * (bench/servers/<variant>.ts), `concurrency` at a time, each response read to its end. Prints the process's CPU
 * per turn (user + system) and checks every answer is the fixture's 22 frames. Less noise than the load test, and
 * what the sampling profilers watch: `bun --cpu-prof-md bench/inprocess.bench.ts ours 20000`.
 *
 *   bun bench/inprocess.bench.ts <variant> [turns=20000] [concurrency=50]
 *   deno run --allow-all bench/inprocess.bench.ts <variant> [turns] [concurrency]
 */
import { createHmac } from "node:crypto";
import { frameJson, messageBody, SECRET } from "./fixture.mjs";
import { readdirSync, readFileSync } from "node:fs";
import { args, emit, env, runtimeVersion } from "./runtime.ts";

const [variant = "ours", turnsArg = "20000", concurrencyArg = "50"] = args;
const turns = Number(turnsArg);
const concurrency = Number(concurrencyArg);
const { default: server } = await import(`./servers/${variant}.ts`);
const fetchOf = server.fetch as (request: Request) => Response | Promise<Response>;
const decoder = new TextDecoder();

function request(n: number): Request {
  const body = messageBody(n, `ip${variant}`);
  const t = Math.floor(Date.now() / 1000);
  const signature = `t=${t},v1=${createHmac("sha256", SECRET).update(`${t}.${body}`).digest("hex")}`;
  return new Request("http://127.0.0.1/agent", {
    method: "POST",
    headers: { "content-type": "application/json", "layercode-signature": signature },
    body,
  });
}

/** One turn; returns the response's text. */
async function turn(n: number): Promise<string> {
  const response = await fetchOf(request(n));
  if (response.status !== 200) throw new Error(`${variant}: status ${response.status}: ${await response.text()}`);
  let text = "";
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  return text;
}

// The answer must be the fixture's frames (the fixed-turn baselines answer with the fixed turn id).
{
  const text = await turn(0);
  const got = text.split("\n\n").filter((f) => f && !f.startsWith(":")).map((f) => f.slice(6));
  const turnId = JSON.parse(messageBody(0, `ip${variant}`)).turn_id;
  const fixed = frameJson("turn_000000000000");
  const expected = frameJson(turnId);
  if (JSON.stringify(got) !== JSON.stringify(expected) && JSON.stringify(got) !== JSON.stringify(fixed)) {
    throw new Error(`${variant}: the frames differ from the fixture's 22: ${text.slice(0, 300)}`);
  }
}

/** CPU seconds of each thread of this process, by thread name (Linux), to tell the JavaScript thread from GC and helpers. */
function threads(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const task of readdirSync("/proc/self/task")) {
    const stat = readFileSync(`/proc/self/task/${task}/stat`, "utf8");
    const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    out[name] = +((out[name] ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100).toFixed(2);
  }
  return out;
}

async function run(count: number, from: number): Promise<void> {
  let next = from;
  const end = from + count;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < end) await turn(next++);
  }));
}

// deno-lint-ignore no-explicit-any
const g = globalThis as any;
const cpuMicros = (): number => {
  const { user, system } = g.process.cpuUsage();
  return user + system;
};

await run(Math.min(5000, turns), 1); // warm-up: the JIT's tiers
const cpuBefore = cpuMicros();
const started = performance.now();
await run(turns, 1_000_000);
const cpu = cpuMicros() - cpuBefore;
const wall = performance.now() - started;
const result = {
  runtime: runtimeVersion,
  variant,
  turns,
  concurrency,
  cpuUsPerTurn: cpu / turns,
  wallUsPerTurn: (wall * 1000) / turns,
};
if (env("BENCH_THREADS")) console.error(threads());
console.error(
  `${variant}: ${result.cpuUsPerTurn.toFixed(1)} µs CPU/turn, ${
    result.wallUsPerTurn.toFixed(1)
  } µs wall/turn (${runtimeVersion})`,
);
emit(result);
// Bun and Deno wait for timers the turns left (idle timeouts): the profilers write on exit.
g.process.exit(0);
