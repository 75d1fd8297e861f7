// Soak: many concurrent conversations on one real server process, over loopback only, bounded in count and time.
//
// Registered under Bun only: it is the runtime of `npm start` (platforms/bun.ts), and a second run under Deno would
// double the suite's longest test for what the end-to-end suites already check on Deno turn by turn.
//
// Two waves of CONVERSATIONS conversations × TURNS turns, all conversations at once, against the local
// Gemini-protocol server answering with small random delays (10-30 ms to the first token, 1-5 ms between deltas).
// Afterwards: every turn answered in full and ended, and each conversation's history complete and in order, as
// the model saw it on one last turn (its request holds every earlier user message and reply, in order).
// It runs twice: as deployed by default, and with SPECULATIVE_HISTORY on, where its turn lines count how often a
// speculative start had to restart (one process, one writer: never). Memory: the server's RSS is read from /proc/<pid>/status (Linux). Each conversation ends with
// session.end under DELETE_ON_SESSION_END=true, which removes it from the store as expiry would (TTL expiry needs 60 s at least,
// beyond this test's budget; the stores' own suites test expiry with a clock). The second wave must then fit in
// about what the first used: memory does not grow with the number of turns served, only with live conversations.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type GeminiServer, startGeminiServer, words } from "./support/gemini-server.ts";
import { currentRuntime, type ServerProcess, startServer, TARGETS } from "./support/server-process.ts";
import { listeningPid, processMemory as memory } from "./support/stall-flood.ts";
import { frames, SECRET, spoken, webhook } from "./support/webhooks.ts";

const CONVERSATIONS = 200;
const TURNS = 20;
const MiB = 1024 * 1024;
/** The whole test's budget: it fails rather than run longer. */
const BUDGET_MS = 90_000;

const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const between = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));

if (currentRuntime() === "bun") {
  let gemini: GeminiServer;
  /** The model's view of each conversation on its last turn, by conversation id. */
  const finalContents = new Map<string, string[]>();

  before(async () => {
    gemini = await startGeminiServer();
    gemini.respond = (request) => {
      const contents = request.body.contents;
      const last = contents.at(-1)?.parts.map((p) => p.text).join("") ?? "";
      const final = last.match(/^(\S+) final$/);
      if (final) finalContents.set(final[1], contents.map((c) => `${c.role}:${c.parts.map((p) => p.text).join("|")}`));
      // Keep the recorded requests from growing with the run: the test reads its figures above.
      gemini.requests.length = 0;
      return { deltas: words(`Reply to ${last}.`), startDelayMs: between(10, 30), delayMs: between(1, 5) };
    };
  });
  after(async () => {
    await gemini?.close();
  });

  // Once as deployed by default, once with speculative starts on, to count how often they restart.
  for (const speculative of [false, true]) {
    const mode = speculative ? " with SPECULATIVE_HISTORY" : "";
    test(`soak${mode}: ${CONVERSATIONS} concurrent conversations × ${TURNS} turns, twice, on one Bun process: all answered, history complete, memory bounded`, async () => {
      finalContents.clear();
      const server = await startServer(TARGETS.bun, {
        LAYERCODE_WEBHOOK_SECRET: SECRET,
        GOOGLE_GENERATIVE_AI_API_KEY: "soak-key",
        GEMINI_BASE_URL: gemini.baseUrl,
        MODEL_TIMEOUT_MS: "10000",
        HISTORY_TTL_SECONDS: "60",
        DELETE_ON_SESSION_END: "true",
        ...(speculative ? { SPECULATIVE_HISTORY: "true" } : {}),
        LOG_LEVEL: "info", // the turn lines say how each turn's model call started
      });
      try {
        await soak(server, speculative);
      } finally {
        await server.stop();
      }
    });
  }

  async function soak(server: ServerProcess, speculative: boolean): Promise<void> {
    const started = Date.now();
    const found = listeningPid(Number(new URL(server.url).port));
    assert.ok(found, "found the server's pid through /proc");
    const pid: number = found;
    const agent = `${server.url}/agent`;
    let completed = 0;
    const errors: string[] = [];
    /** The highest RSS sampled since the last reset (every 100 ms). */
    let sampledPeak = 0;
    const sampler = setInterval(() => {
      try {
        sampledPeak = Math.max(sampledPeak, memory(pid).rss);
      } catch { /* exited: the test fails below */ }
    }, 100);

    async function turn(conversation: string, text: string): Promise<void> {
      const body = {
        type: "message",
        session_id: `s_${conversation}`,
        conversation_id: conversation,
        turn_id: `${conversation}_${text.replaceAll(" ", "_")}`,
        text,
      };
      try {
        const response = await fetch(await webhook(agent, body));
        if (response.status !== 200) throw new Error(`status ${response.status}`);
        const all = await frames(response);
        if (all.at(-1)?.type !== "response.end") throw new Error("no response.end");
        const said = spoken(all);
        if (said !== `Reply to ${text}.`) throw new Error(`spoke ${JSON.stringify(said)}`);
        completed++;
      } catch (error) {
        errors.push(`${conversation} "${text}": ${error instanceof Error ? error.message : error}`);
      }
    }

    async function conversation(id: string): Promise<void> {
      await sleep(between(0, 200)); // callers do not all arrive in the same millisecond
      for (let t = 0; t < TURNS; t++) {
        if (Date.now() - started > BUDGET_MS) throw new Error("over the time budget");
        await turn(id, `${id} turn ${t}`);
      }
      // The last reply is written just after its response.end; in a real call the next turn comes a second or more
      // later, once the caller has spoken. Under this load the write may take a few hundred milliseconds.
      await sleep(1000);
      await turn(id, `${id} final`);
      const ended = await fetch(
        await webhook(agent, { type: "session.end", session_id: `s_${id}`, conversation_id: id, transcript: [] }),
      );
      if (ended.status !== 200) errors.push(`${id} session.end: status ${ended.status}`);
      await ended.body?.cancel();
    }

    async function wave(name: string): Promise<{ ms: number; rss: number; peak: number }> {
      const from = Date.now();
      sampledPeak = 0;
      await Promise.all(Array.from({ length: CONVERSATIONS }, (_, i) => conversation(`${name}c${i}`)));
      await sleep(300); // the last session.end deletions run after their answers
      const rss = memory(pid).rss;
      return { ms: Date.now() - from, rss, peak: Math.max(sampledPeak, rss) };
    }

    // Warm up (JIT, connection pools), then read the baseline.
    await Promise.all(Array.from({ length: 10 }, (_, i) => conversation(`warm${i}`)));
    const baseline = memory(pid).rss;
    const first = await wave("a");
    const second = await wave("b");
    clearInterval(sampler);
    const peak = Math.max(first.peak, second.peak, memory(pid).peak);

    const expectedTurns = 2 * CONVERSATIONS * (TURNS + 1);
    const seconds = (first.ms + second.ms) / 1000;
    const served = completed - 10 * (TURNS + 1);
    console.log(
      `soak: ${served} of ${expectedTurns} turns completed in ${seconds.toFixed(1)} s ` +
        `(${Math.round(served / seconds)} turns/s), ${errors.length} errors; server RSS ${mib(baseline)} after ` +
        `warm-up, wave 1 peak ${mib(first.peak)} then ${mib(first.rss)}, wave 2 peak ${mib(second.peak)} then ` +
        `${mib(second.rss)}; process peak ${mib(peak)}`,
    );
    assert.deepEqual(errors.slice(0, 10), [], `${errors.length} turns failed`);
    assert.equal(served, expectedTurns);

    for (const name of ["a", "b"]) {
      for (let i = 0; i < CONVERSATIONS; i++) {
        const id = `${name}c${i}`;
        const expected: string[] = [];
        for (let t = 0; t < TURNS; t++) expected.push(`user:${id} turn ${t}`, `model:Reply to ${id} turn ${t}.`);
        expected.push(`user:${id} final`);
        assert.deepEqual(finalContents.get(id), expected, `${id}: the history the model saw on the last turn`);
      }
    }

    // session.end really removed the conversations: a new turn on one starts from nothing.
    await turn("ac0", "ac0 final");
    assert.deepEqual(finalContents.get("ac0"), ["user:ac0 final"], "wave 1's conversations are gone from the store");

    assert.ok(peak < 512 * MiB, `peak RSS ${mib(peak)} stays under 512 MiB`);
    // Wave 2 served as many turns again; with wave 1's conversations gone, it must end within what wave 1 needed at
    // its peak. The RSS after a wave varies by ±20 MiB with garbage collection, so this catches a leak of about
    // 8 KiB a turn or more (4200 turns), not a small one.
    assert.ok(second.rss <= first.peak + 8 * MiB, `RSS after wave 2 (${mib(second.rss)}) back under wave 1's peak`);
    assert.ok(second.peak <= first.peak * 1.25 + 16 * MiB, `wave 2's peak (${mib(second.peak)}) like wave 1's`);
    assert.doesNotMatch(server.output(), /"level":"error"/, "the server logged no error");

    const cached = server.output().match(/"historyStart":"cached"/g)?.length ?? 0;
    const restarted = server.output().match(/"historyStart":"restarted"/g)?.length ?? 0;
    if (!speculative) {
      assert.equal(cached + restarted, 0, "without SPECULATIVE_HISTORY no turn starts from a cached copy");
      return;
    }
    // SPECULATIVE_HISTORY: one process is the only writer, so its copy always tells the model what the read does.
    console.log(`soak: speculative starts ${cached + restarted}, restarted ${restarted}`);
    assert.ok(cached >= 2 * CONVERSATIONS * (TURNS - 1), `every turn after a conversation's first started from the copy (${cached})`);
    assert.equal(restarted, 0, "no speculative start restarted");
  }
}
