/**
 * The CPU of one turn's history work, in process on the memory store (no I/O to hide it): a read, the user's message
 * written, the reply written, as lib/turn.ts does. CPU time per turn (user + system, `process.cpuUsage`) over many
 * turns, which a shared machine disturbs far less than wall-clock percentiles. Four conversations: a fresh one each
 * turn; a continuing one at the default bound of 50 short messages; the same with a new history per turn (nothing
 * cached in between, as on a server of many instances); one held at its 32 KB byte bound by 1.6 KB messages (each
 * turn drops the oldest to fit). Run on Bun and Deno:
 *   bun bench/history.bench.ts
 *   deno run -A bench/history.bench.ts
 */
import process from "node:process";
import { createHistory, type History } from "../lib/history.ts";
import type { Message } from "../lib/message.ts";
import { createMemoryStore } from "../storage/memory.ts";
import { args, emit, runtimeVersion } from "./runtime.ts";

const TURNS = Number(args[0] ?? 20_000);
const SHORT = "What is on my calendar tomorrow, and will I need an umbrella for the walk to the office this time?";
const REPLY = "Tomorrow you have a design review at ten and lunch with Sam at one. Light rain is expected, so yes, take one.";
const LONG = "All work and no play makes a long reply, ".repeat(40);

// deno-lint-ignore no-explicit-any
type Any = any;
type Turn = (historyKey: string, user: Message, reply: Message) => Promise<void>;

/** One turn through whichever API this checkout's history has (read + record + finish, else begin + finish). */
function turnOf(history: History): Turn {
  const h = history as Any;
  if (typeof h.read === "function" && typeof h.record === "function") {
    return async (key, user, reply) => {
      const state = await h.read(key);
      await h.finish(await h.record(state, user).stored, reply);
    };
  }
  return async (key, user, reply) => await h.finish(await h.begin(key, user), reply);
}

let n = 0;
const message = (role: Message["role"], text: string, turnId: string): Message => ({ role, text, turnId, at: 1_700_000_000_000 + n });

async function measure(name: string, options: { fresh?: boolean; uncached?: boolean; user: string; reply: string; turns: number }) {
  const store = createMemoryStore({ maxKeys: 1000 });
  let turn = turnOf(createHistory(store));
  const once = () => {
    const id = `t${n++}`;
    if (options.uncached) turn = turnOf(createHistory(store));
    return turn(options.fresh ? `c${id}` : "c", message("user", options.user, id), message("assistant", options.reply, id));
  };
  for (let i = 0; i < 3000; i++) await once(); // warm-up: the JIT, and the conversation up to its bound
  const before = process.cpuUsage();
  for (let i = 0; i < options.turns; i++) await once();
  const used = process.cpuUsage(before);
  const cpuUs = (used.user + used.system) / options.turns;
  console.log(`${name.padEnd(72)} ${cpuUs.toFixed(1).padStart(7)} µs CPU per turn`);
  return { name, cpuUsPerTurn: Math.round(cpuUs * 10) / 10, turns: options.turns };
}

const results = [
  await measure("fresh conversation each turn", { fresh: true, user: SHORT, reply: REPLY, turns: TURNS }),
  await measure("continuing conversation (50 short messages kept)", { user: SHORT, reply: REPLY, turns: TURNS }),
  await measure("continuing, a new history per turn (nothing cached between turns)", { uncached: true, user: SHORT, reply: REPLY, turns: TURNS }),
  await measure("conversation at its 32 KB bound (1.6 KB messages)", { user: LONG, reply: LONG, turns: TURNS / 2 }),
];
emit({ runtime: runtimeVersion, results });
