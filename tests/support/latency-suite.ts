/**
 * One store round trip before the model (issue 14), on any real store behind a 25 ms delay per operation
 * (tests/support/delayed-store.ts): the model is asked once the history is read, the user's message is written
 * while it streams, the replay check runs beside the read, and everything history promised still holds. Order is
 * asserted from the store's timeline and the model's mark on it, never from wall-clock time.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createApp } from "../../app/create-app.ts";
import { createHistory } from "../../lib/history.ts";
import type { Logger } from "../../lib/log.ts";
import type { Message } from "../../lib/message.ts";
import type { ResponseFrame } from "../../lib/sse.ts";
import type { TurnMetrics } from "../../lib/turn-events.ts";
import type { ConversationStore } from "../../storage/types.ts";
import { createTimeline, delayedStore, type StoreOp } from "./delayed-store.ts";
import { scriptedModel } from "./scripted-model.ts";
import type { UnhandledGuard } from "./unhandled.ts";
import { frames, messageBody, readUntilFirstFrame, spoken, uid, webhook } from "./webhooks.ts";

/** What varies between the suite's runs. */
export interface LatencySuiteOptions {
  name: string;
  /** A real store; the suite puts the delay in front of it. */
  create: () => ConversationStore;
  /** The file's guard, whose `waitUntil` the apps use. */
  guard: UnhandledGuard;
  skip?: string;
}

const URL = "http://agent.test/agent";
const APOLOGY = "Sorry, say that again?";
const never = new Promise<never>(() => {});

/** The suite: every case against `options.create()` behind the delay. */
export function latencySuite(options: LatencySuiteOptions): void {
  const it = (title: string, fn: () => Promise<void>) =>
    test(`${options.name}: ${title}`, options.skip ? { skip: options.skip } : {}, fn);

  function setup(config: { storeTimeoutMs?: number; modelTimeoutMs?: number; speculativeHistory?: boolean; replayProtection?: boolean } = {}) {
    const inner = options.create();
    const timeline = createTimeline();
    const store = delayedStore(inner, { delayMs: 25, timeline });
    const model = scriptedModel();
    const stream = model.stream;
    model.stream = (input) => {
      timeline.mark(`model asked ${model.calls.length + 1}`);
      return stream(input);
    };
    const metrics: TurnMetrics[] = [];
    const lines: { message: string; errorClass?: unknown }[] = [];
    const write = (message: string, fields?: Record<string, unknown>) => void lines.push({ message, errorClass: fields?.errorClass });
    const logger: Logger = { debug: write, info: write, warn: write, error: write };
    const pending: { work: Promise<unknown>; done: boolean }[] = [];
    const app = createApp({
      env: { LAYERCODE_WEBHOOK_SECRET: "test_webhook_secret" },
      config: {
        apologyMessage: APOLOGY,
        storeTimeoutMs: config.storeTimeoutMs ?? 3000,
        modelTimeoutMs: config.modelTimeoutMs ?? 3000,
        speculativeHistory: config.speculativeHistory ?? false,
        ...(config.replayProtection === undefined ? {} : { replayProtection: config.replayProtection }),
      },
      model,
      store,
      logger,
      hooks: { onTurn: (m) => void metrics.push(m) },
      waitUntil(work) {
        const entry = { work, done: false };
        work.finally(() => (entry.done = true)).catch(() => {});
        pending.push(entry);
        options.guard.waitUntil(work);
      },
    });
    const conversation = uid("conv");
    const history = createHistory(inner); // reads what is stored, without the delay
    const send = async (text: string, extra: Record<string, unknown> = {}) => {
      const body = messageBody(conversation, text, extra);
      return { body, response: await app.fetch(await webhook(URL, body)) };
    };
    const turn = async (text: string, extra: Record<string, unknown> = {}) => {
      const { body, response } = await send(text, extra);
      return { turnId: body.turn_id, all: await frames(response) };
    };
    const settled = () => options.guard.settled();
    const conv = (op: StoreOp) => op.key.endsWith(`conv:${conversation}`);
    const stored = async () => (await history.load(conversation)).map((m: Message) => `${m.role}:${m.text}`);
    return { app, store, inner, timeline, model, metrics, lines, pending, conversation, send, turn, settled, conv, stored };
  }

  /** The operations that ended before the model was asked all ran at once: one round trip. */
  function assertOneRoundTrip(timeline: ReturnType<typeof createTimeline>, call: number, from = 0) {
    const asked = timeline.at(`model asked ${call}`);
    assert.ok(asked > 0, "the model was asked");
    const before = timeline.endedBefore(asked).filter((op) => op.start > from);
    assert.ok(before.length > 0, "the history was read before the model was asked");
    const firstEnd = Math.min(...before.map((op) => op.end!));
    for (const op of before) {
      assert.ok(op.start < firstEnd, `${op.op} ${op.key} started after another operation ended: a second round trip`);
    }
    return before;
  }

  it("the model is asked after exactly one store round trip (the read, with the replay check beside it); the user's message is written while it streams", async () => {
    const { timeline, model, metrics, turn, settled, conv, stored } = setup();
    await turn("First");
    await settled();
    const sent = timeline.mark("second turn sent");
    const { all } = await turn("Second");
    await settled();
    assert.equal(all.at(-1)?.type, "response.end");
    assert.equal(spoken(all), "Echo: Second");
    const turnOps = assertOneRoundTrip(timeline, 2, sent);
    assert.deepEqual(turnOps.filter(conv).map((op) => op.op), ["get"], "only the history's read came before the model");
    assert.deepEqual(turnOps.filter((op) => op.key.includes("replay:")).map((op) => op.op), ["set"], "the replay check ran beside it");
    const writes = timeline.ops.filter((op) => conv(op) && op.op === "set" && op.start > sent);
    assert.equal(writes.length, 2, "the user's message, then the reply");
    assert.ok(writes[0].end! > timeline.at("model asked 2"), "the user's message was still being written when the model was asked");
    assert.equal(writes[1].expected, writes[0].version, "the reply's write starts from the version the user's write produced");
    assert.ok(writes[1].start > writes[0].end!);
    assert.deepEqual(model.calls[1].messages.map((m) => m.text), ["First", "Echo: First", "Second"]);
    assert.deepEqual(await stored(), ["user:First", "assistant:Echo: First", "user:Second", "assistant:Echo: Second"]);
    assert.deepEqual([metrics[1].storeReads, metrics[1].storeWrites], [1, 2], "store operations are counted as before");
  });

  it("the model is not asked before the replay check passes, and a replayed webhook asks no model and writes nothing", async () => {
    const { app, store, timeline, model, send, settled, conv, stored, conversation } = setup();
    const release = store.hold((op) => op.key.includes("replay:"));
    const body = messageBody(conversation, "Once");
    const timestamp = Math.floor(Date.now() / 1000);
    const first = app.fetch(await webhook(URL, body, { timestamp }));
    await timeline.until(() => timeline.ops.some((op) => conv(op) && op.op === "get" && op.end !== undefined));
    // The history is read; the replay check is held: nothing may go to the model or the store meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(model.calls.length, 0, "the model waits for the replay check");
    assert.equal(timeline.ops.filter((op) => conv(op) && op.op === "set").length, 0, "nothing written before it passes");
    release();
    assert.equal(spoken(await frames(await first)), "Echo: Once");
    await settled();
    const replayEnd = timeline.ops.find((op) => op.key.includes("replay:"))!.end!;
    assert.ok(timeline.at("model asked 1") > replayEnd);
    const writes = timeline.ops.filter((op) => conv(op) && op.op === "set").length;

    const replayed = await frames(await app.fetch(await webhook(URL, body, { timestamp })));
    await settled();
    assert.deepEqual(replayed, [{ type: "response.end", turn_id: body.turn_id }], "the replay is refused as before");
    assert.equal(model.calls.length, 1, "the replay asked no model");
    assert.equal(timeline.ops.filter((op) => conv(op) && op.op === "set").length, writes, "the replay wrote nothing");
    assert.deepEqual(await stored(), ["user:Once", "assistant:Echo: Once"]);
    void send;
  });

  it("the user's message is stored exactly once per turn id when the model fails at once, even delivered twice at once", async () => {
    const { app, model, settled, conversation, stored, timeline, conv } = setup();
    model.script = () => ({
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error("model down")) }),
    });
    const body = messageBody(conversation, "Hello?");
    const now = Math.floor(Date.now() / 1000);
    // Layercode retrying a turn: the same body signed again (a new timestamp, so the replay guard lets it through).
    const [a, b] = await Promise.all([
      Promise.resolve(app.fetch(await webhook(URL, body, { timestamp: now }))).then(frames),
      Promise.resolve(app.fetch(await webhook(URL, body, { timestamp: now - 1 }))).then(frames),
    ]);
    for (const all of [a, b]) {
      assert.equal(spoken(all), APOLOGY);
      assert.deepEqual(all.at(-1), { type: "response.end", turn_id: body.turn_id });
    }
    const ended = timeline.mark("both ended");
    assert.ok(timeline.ops.some((op) => conv(op) && op.op === "set" && (op.end === undefined || op.end > ended)), "the write outlived the turn");
    await settled();
    assert.deepEqual(await stored(), ["user:Hello?"]);
  });

  it("the user's message is stored exactly once when the caller barges in before the first delta", async () => {
    const { model, send, settled, stored, timeline } = setup();
    let aborted = false;
    model.script = async function* ({ signal }) {
      await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
      aborted = true;
      yield "never spoken";
    };
    const { response } = await send("Wait, actually");
    await timeline.until(() => timeline.at("model asked 1") > 0);
    await response.body!.cancel();
    await settled();
    assert.ok(aborted, "the model was aborted");
    assert.deepEqual(await stored(), ["user:Wait, actually"]);
  });

  it("an interrupted reply still becomes what the caller heard, while its writes overlap the next turn", async () => {
    const { model, send, turn, settled, stored } = setup();
    model.script = async function* (input) {
      if (input.messages.at(-1)?.text === "Count") {
        yield "One two three four.";
        await never;
      }
      yield "Stopped.";
    };
    const first = await send("Count");
    const reader = first.response.body!.getReader();
    assert.match(await readUntilFirstFrame(reader), /One two three four/);
    await reader.cancel();
    // No wait: the first turn's writes are still in flight when the next turn reads.
    const interruption = { previous_turn_interrupted: true, words_heard: 2, text_heard: "One two", assistant_turn_id: first.body.turn_id };
    const second = await turn("Stop", { interruption_context: interruption });
    assert.equal(spoken(second.all), "Stopped.");
    await settled();
    assert.deepEqual(await stored(), ["user:Count", "assistant:One two", "user:Stop", "assistant:Stopped."]);
  });

  it("overlapping turns of one conversation lose nothing: compare-and-set decides, a conflict reads again", async () => {
    const { turn, settled, stored, metrics, timeline } = setup();
    const texts = ["one", "two", "three", "four"];
    const turns = await Promise.all(texts.map((text) => turn(text)));
    for (const [i, { all }] of turns.entries()) assert.equal(spoken(all), `Echo: ${texts[i]}`);
    await settled();
    assertOneRoundTrip(timeline, 1); // the other turns' models may be asked after a write of the first ended
    const messages = await stored();
    assert.equal(messages.length, 8, messages.join(" | "));
    for (const text of texts) {
      const at = messages.indexOf(`user:${text}`);
      assert.ok(at >= 0, `${text} is stored`);
      assert.equal(messages[at + 1], `assistant:Echo: ${text}`, `the reply of ${text} follows it`);
    }
    assert.ok(metrics.some((m) => m.storeReads > 1), "at least one write met a conflict and read again");
  });

  it("the writes outlive the response: waitUntil holds the pending write until it lands (as on Workers)", async () => {
    const { store, turn, pending, stored, conv } = setup();
    const release = store.hold((op) => conv(op) && op.op === "set");
    const { all } = await turn("Keep this");
    assert.deepEqual(all.at(-1)?.type, "response.end");
    assert.ok(pending.length > 0 && pending.some((p) => !p.done), "waitUntil got the turn's pending write");
    assert.deepEqual(await stored(), [], "nothing is stored yet: the write is held");
    release();
    await Promise.all(pending.map((p) => p.work));
    assert.deepEqual(await stored(), ["user:Keep this", "assistant:Echo: Keep this"]);
  });

  it("a turn that follows at once, before the last turn's writes land, shows the model that turn all the same", async () => {
    const { store, turn, model, settled, stored, conv } = setup();
    const release = store.hold((op) => conv(op) && op.op === "set");
    await turn("My name is Ada.");
    // The first turn has ended; neither of its writes has landed when the next turn reads.
    const { all } = await turn("What is my name?");
    assert.equal(spoken(all), "Echo: What is my name?");
    assert.deepEqual(model.calls[1].messages.map((m) => m.text), ["My name is Ada.", "Echo: My name is Ada.", "What is my name?"]);
    release();
    await settled();
    assert.deepEqual(await stored(), [
      "user:My name is Ada.",
      "assistant:Echo: My name is Ada.",
      "user:What is my name?",
      "assistant:Echo: What is my name?",
    ]);
  });

  it("SPECULATIVE_HISTORY: a process that wrote the conversation's latest version asks the model before any store operation ends, and the read confirms it", async () => {
    const { timeline, model, metrics, turn, settled, stored } = setup({ speculativeHistory: true, replayProtection: false });
    await turn("First");
    await settled();
    assert.equal(metrics[0].historyStart, undefined, "nothing cached yet: the first turn waits for its read");
    const sent = timeline.mark("second turn sent");
    const { all } = await turn("Second");
    await settled();
    assert.equal(spoken(all), "Echo: Second");
    const asked = timeline.at("model asked 2");
    assert.deepEqual(timeline.endedBefore(asked).filter((op) => op.start > sent), [], "zero store round trips before the model");
    assert.equal(model.calls.length, 2, "asked once: the read confirmed the copy");
    assert.deepEqual(model.calls[1].messages.map((m) => m.text), ["First", "Echo: First", "Second"]);
    assert.equal(metrics[1].historyStart, "cached");
    assert.deepEqual([metrics[1].storeReads, metrics[1].storeWrites], [1, 2], "the read still happens, beside the model");
    assert.deepEqual(await stored(), ["user:First", "assistant:Echo: First", "user:Second", "assistant:Echo: Second"]);
  });

  it("SPECULATIVE_HISTORY: when another writer got there first, the model call is aborted and asked again on the fresh history before any frame", async () => {
    const { inner, model, metrics, turn, settled, stored, conversation } = setup({ speculativeHistory: true, replayProtection: false });
    await turn("First");
    await settled();
    // Another process of the same app stores a turn of this conversation.
    const elsewhere = createHistory(inner);
    await elsewhere.begin(conversation, { role: "user", text: "From elsewhere", turnId: "elsewhere", at: 1 });
    const signals: AbortSignal[] = [];
    model.script = async function* (input) {
      signals.push(input.signal);
      yield `Saw ${input.messages.length} messages.`;
    };
    const { all } = await turn("Second");
    await settled();
    assert.equal(model.calls.length, 3, "the speculative call, then the one on the fresh history");
    assert.equal(signals[0].aborted, true, "the speculative call was aborted");
    assert.equal(signals[1].aborted, false);
    assert.deepEqual(model.calls[2].messages.map((m) => m.text), ["First", "Echo: First", "From elsewhere", "Second"]);
    assert.equal(spoken(all), "Saw 4 messages.", "no frame of the speculative call was sent");
    assert.equal(metrics[1].historyStart, "restarted");
    assert.deepEqual(await stored(), ["user:First", "assistant:Echo: First", "user:From elsewhere", "user:Second", "assistant:Saw 4 messages."]);
  });

  for (const fault of ["fail", "hang"] as const) {
    it(`a store whose writes ${fault === "fail" ? "fail" : "hang"}: the turn is answered and ended, and its work after the answer ends within the bounds`, async () => {
      const { store, turn, settled, stored, lines, conv } = setup({ storeTimeoutMs: 200 });
      store.fault = (op) => (conv(op) && op.op === "set" ? fault : undefined);
      try {
        const { all, turnId } = await turn("Anyone?");
        assert.equal(spoken(all), "Echo: Anyone?", "answered with the history read");
        assert.deepEqual(all.at(-1), { type: "response.end", turn_id: turnId } satisfies ResponseFrame);
        await bounded(settled(), "the turn's writes");
      } finally {
        store.release();
      }
      const failed = lines.filter((l) => /^history write failed: .*user's message/.test(l.message));
      assert.equal(failed.length, 1, lines.map((l) => l.message).join(" | "));
      if (fault === "hang") assert.equal(failed[0].errorClass, "TimeoutError");
      store.fault = undefined;
      assert.deepEqual(await stored(), []);
    });
  }
}

function bounded<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} never ended`)), 3000)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
