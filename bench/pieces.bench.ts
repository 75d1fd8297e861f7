/**
 * The pure-JavaScript pieces of one turn, timed in process with mitata (no sockets, so far less noise than the load
 * test): what each costs per turn of the benchmark's workload (1 KB body, 20 deltas, 22 frames, a fresh
 * conversation). A piece whose export is missing is listed as skipped. Run by bench/run.mjs on Bun and Deno.
 */
import { createHmac } from "node:crypto";
import { measure } from "mitata";
import { DELTAS, messageBody, SECRET } from "./fixture.mjs";
import { emit, runtimeVersion } from "./runtime.ts";

// deno-lint-ignore no-explicit-any
type Any = any;
const load = async (path: string): Promise<Record<string, Any>> => {
  try {
    return await import(new URL(path, import.meta.url).href);
  } catch {
    return {};
  }
};
const [signature, events, sse, voice, history, memory, body] = await Promise.all([
  load("../lib/signature.ts"),
  load("../lib/events.ts"),
  load("../lib/sse.ts"),
  load("../lib/voice.ts"),
  load("../lib/history.ts"),
  load("../storage/memory.ts"),
  load("../lib/body.ts"),
]);

const text = messageBody(1, "pieces");
const bytes = new TextEncoder().encode(text);
const t = Math.floor(Date.now() / 1000);
const header = `t=${t},v1=${createHmac("sha256", SECRET).update(`${t}.${text}`).digest("hex")}`;
const TURN = JSON.parse(text).turn_id;

let n = 0;
const pieces: [string, string, (() => unknown) | undefined][] = [
  ["read the 1 KB body (readBody)", "lib/body.ts readBody", body.readBody && (() =>
    body.readBody(new Request("http://x/agent", { method: "POST", body: bytes }), 262_144))],
  ["verify the signature (verifySignature)", "lib/signature.ts verifySignature", signature.verifySignature && (() =>
    signature.verifySignature(header, bytes, { secrets: [SECRET] }))],
  ["parse the event (parseEvent)", "lib/events.ts parseEvent", events.parseEvent && (() => events.parseEvent(bytes))],
  ["sanitize 20 deltas for voice (createVoiceSanitizer)", "lib/voice.ts createVoiceSanitizer", voice.createVoiceSanitizer && (() => {
    const s = voice.createVoiceSanitizer();
    let out = "";
    for (const delta of DELTAS) out += s.push(delta);
    return out + s.flush();
  })],
  ["encode 22 frames (encodeFrame)", "lib/sse.ts encodeFrame", sse.encodeFrame && (() => {
    const out = [sse.encodeFrame({ type: "response.data", content: { isThinking: false }, turn_id: TURN })];
    for (const content of DELTAS) out.push(sse.encodeFrame({ type: "response.tts", content, turn_id: TURN }));
    out.push(sse.encodeFrame({ type: "response.end", turn_id: TURN }));
    return out;
  })],
  ["history of a fresh conversation: begin + finish on the memory store", "lib/history.ts createHistory",
    history.createHistory && memory.createMemoryStore && (() => {
      const h = history.createHistory(memory.createMemoryStore());
      return async () => {
        const id = `c${n++}`;
        const state = await h.begin(id, { role: "user", text: JSON.parse(text).text, turnId: TURN, at: 1 });
        await h.finish(state, { role: "assistant", text: DELTAS.join(""), turnId: TURN, at: 2 });
      };
    })()],
];

const results = [];
for (const [name, source, fn] of pieces) {
  if (!fn) {
    results.push({ name, skipped: `${source} is not exported any more` });
    continue;
  }
  await fn(); // fails loudly if the piece's API changed
  const stats = await measure(fn as () => unknown);
  results.push({ name, avgNs: stats.avg, p50Ns: stats.p50, p99Ns: stats.p99 });
}
emit({ runtime: runtimeVersion, results });
