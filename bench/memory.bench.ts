/**
 * Resident set size with stored conversations: `ours` fills the memory store through `createHistory` (the app's
 * defaults: 10,000 keys at most, 50 messages per conversation), `official` fills an unbounded
 * `sessionMessages[id].push(...)` object as the SDK example does. Each conversation gets TURNS turns with the load
 * test's texts. RSS is read after a full GC at 0 conversations, then after each of ROUNDS batches of 10,000: the later batches show
 * whether memory is bounded. Usage: `<runtime> bench/memory.bench.ts ours|official [conversations] [turns] [rounds]`.
 */
import { createHistory } from "../lib/history.ts";
import type { Message } from "../lib/message.ts";
import { createMemoryStore } from "../storage/memory.ts";
import { DELTAS, messageBody } from "./fixture.mjs";
import { args, emit, gc, heapUsed, rss, runtimeVersion } from "./runtime.ts";

const mode = args[0] === "official" ? "official" : "ours";
const CONVERSATIONS = Number(args[1] ?? 10_000);
const TURNS = Number(args[2] ?? 4);
const ROUNDS = Number(args[3] ?? 3);
const USER_TEXT: string = JSON.parse(messageBody(0)).text; // the ~900-character text of the 1 KB webhook
const REPLY_TEXT = DELTAS.join("");

const history = createHistory(createMemoryStore());
const sessionMessages: Record<string, { role: string; content: string }[]> = {};

// A fresh copy of a text, as each arrives parsed from its own request body.
const fresh = (text: string): string => JSON.parse(JSON.stringify(text));

async function fill(from: number, to: number) {
  for (let c = from; c < to; c++) {
    const id = `conv_${c}`;
    for (let t = 0; t < TURNS; t++) {
      const turnId = `turn_${c}_${t}`;
      if (mode === "ours") {
        const user: Message = { role: "user", text: fresh(USER_TEXT), turnId, at: Date.now() };
        const state = await history.begin(id, user);
        await history.finish(state, { role: "assistant", text: fresh(REPLY_TEXT), turnId, at: Date.now() });
      } else {
        const messages = sessionMessages[id] || [];
        messages.push({ role: "user", content: fresh(USER_TEXT) });
        messages.push({ role: "assistant", content: fresh(REPLY_TEXT) });
        sessionMessages[id] = messages;
      }
    }
  }
}

function settle(): number {
  for (let i = 0; i < 3; i++) gc();
  return rss();
}

const baseline = settle();
const start = performance.now();
const steps = [];
for (let step = 1; step <= ROUNDS; step++) {
  await fill((step - 1) * CONVERSATIONS, step * CONVERSATIONS);
  steps.push({ conversations: step * CONVERSATIONS, rss: settle(), heapUsed: heapUsed() });
}

emit({
  runtime: runtimeVersion,
  mode,
  conversations: CONVERSATIONS,
  turnsPerConversation: TURNS,
  rssBaseline: baseline,
  steps,
  fillMs: performance.now() - start,
});
