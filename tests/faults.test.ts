// Faults of the model, the store and the client. Each turn must still end with response.end and leave the
// conversation's history consistent. In-process, with the real Gemini SDK talking to the local Gemini-protocol
// server (tests/support/gemini-server.ts), so that the model's faults are real wire faults.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createApp } from "../app/create-app.ts";
import { createHistory } from "../lib/history.ts";
import type { Message } from "../lib/message.ts";
import type { Logger } from "../lib/log.ts";
import type { ResponseFrame } from "../lib/sse.ts";
import { createGeminiModel } from "../llm/gemini.ts";
import { createMemoryStore } from "../storage/memory.ts";
import type { ConversationStore } from "../storage/types.ts";
import { type GeminiScript, type GeminiServer, startGeminiServer, words } from "./support/gemini-server.ts";
import { scriptedModel } from "./support/scripted-model.ts";
import { guardUnhandledRejections } from "./support/unhandled.ts";
import { frames, messageBody, readUntilFirstFrame, SECRET, spoken, uid, webhook } from "./support/webhooks.ts";

const guard = guardUnhandledRejections();
const URL = "http://agent.test/agent";
const APOLOGY = "Sorry, say that again?";
const REPLY = "The answer is forty two.";

let gemini: GeminiServer;
before(async () => (gemini = await startGeminiServer()));
after(async () => await gemini?.close());

/** A store in front of a memory store whose faults the test switches on and off. */
function faultyStore() {
  const inner = createMemoryStore();
  const hung = new Set<(error: Error) => void>();
  const store = {
    name: "faulty",
    atomic: true,
    /** `down`: every operation rejects; `readonly`: writes reject; `hang`: nothing ever answers. */
    mode: "ok" as "ok" | "down" | "readonly" | "hang",
    delayMs: 0,
    /** Rejects this many more writes after letting `failWritesAfter` writes through. */
    failWritesAfter: Infinity,
    writes: 0,
    inner,
    async run<T>(write: boolean, work: () => Promise<T>): Promise<T> {
      if (store.delayMs) await new Promise((resolve) => setTimeout(resolve, store.delayMs));
      if (store.mode === "hang") return new Promise<T>((_, reject) => hung.add(reject));
      if (store.mode === "down") throw new Error("store down: ECONNREFUSED");
      if (write && store.mode === "readonly") throw new Error("store refused the write");
      if (write && store.writes++ >= store.failWritesAfter) throw new Error("store failed mid-turn");
      return await work();
    },
    /** Fails every operation left hanging, so that no work outlives the test. */
    release() {
      for (const reject of hung) reject(new Error("released"));
      hung.clear();
    },
  };
  const contract: ConversationStore & typeof store = Object.assign(store, {
    get: (key: string) => store.run(false, () => inner.get(key)),
    set: (key: string, value: string, options: Parameters<ConversationStore["set"]>[2]) =>
      store.run(true, () => inner.set(key, value, options)),
    delete: (key: string) => store.run(true, () => inner.delete(key)),
  });
  return contract;
}

function setup(options: { modelTimeoutMs?: number; storeTimeoutMs?: number; deleteOnSessionEnd?: boolean } = {}) {
  const store = faultyStore();
  const lines: { level: string; message: string; errorClass?: unknown }[] = [];
  const write = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    void lines.push({ level, message, errorClass: fields?.errorClass });
  const logger: Logger = { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
  const app = createApp({
    env: { LAYERCODE_WEBHOOK_SECRET: SECRET },
    config: {
      modelTimeoutMs: options.modelTimeoutMs ?? 2000,
      apologyMessage: APOLOGY,
      ...(options.storeTimeoutMs ? { storeTimeoutMs: options.storeTimeoutMs } : {}),
      deleteOnSessionEnd: options.deleteOnSessionEnd ?? false,
    },
    model: createGeminiModel({ apiKey: "test-key", baseUrl: gemini.baseUrl }),
    store,
    logger,
    waitUntil: guard.waitUntil,
  });
  const history = createHistory(store.inner);
  const conversation = uid("conv");
  const turn = async (text: string, extra: Record<string, unknown> = {}) => {
    const body = messageBody(conversation, text, extra);
    const all = await frames(await app.fetch(await webhook(URL, body)));
    await guard.settled();
    return { all, turnId: body.turn_id };
  };
  return { app, store, history, lines, conversation, turn };
}

/** The shape every stored conversation must keep, whatever failed. */
function assertConsistent(messages: Message[]): void {
  const users = new Set<string>();
  const replies = new Set<string>();
  messages.forEach((m, i) => {
    assert.ok(m.role === "user" || m.role === "assistant", `message ${i} has role ${m.role}`);
    assert.equal(typeof m.text, "string");
    assert.ok(m.text.length > 0, `message ${i} is empty`);
    const seen = m.role === "user" ? users : replies;
    assert.ok(!seen.has(m.turnId), `turn ${m.turnId} has two ${m.role} messages`);
    seen.add(m.turnId);
    if (m.role === "assistant" && users.has(m.turnId)) {
      assert.equal(messages[i - 1]?.turnId, m.turnId, `the reply of ${m.turnId} follows its user message`);
    }
  });
}

function assertEndsOnce(all: ResponseFrame[], turnId: string): void {
  assert.deepEqual(all.at(-1), { type: "response.end", turn_id: turnId });
  assert.equal(all.filter((f) => f.type === "response.end").length, 1);
  assert.ok(all.every((f) => f.turn_id === turnId));
}

const summary = (messages: Message[]) => messages.map((m) => `${m.role}:${m.text}`);

/**
 * One model fault, then a healthy turn. `kept`: what may have been spoken before the apology and stored as the
 * reply (several choices when the SDK may drop queued chunks on a later error), or "" for nothing.
 */
async function modelFault(script: GeminiScript, kept: string[]) {
  const { history, conversation, turn, lines } = setup({ modelTimeoutMs: 400 });
  gemini.respond = () => script;
  const first = await turn("First question");
  assertEndsOnce(first.all, first.turnId);
  const said = spoken(first.all);
  assert.ok(said.endsWith(APOLOGY), `the apology ends the turn: ${said}`);
  const before = said.slice(0, -APOLOGY.length);
  assert.ok(kept.includes(before), `spoken before the apology: ${JSON.stringify(before)}`);
  assert.ok(lines.some((l) => l.level === "warn" && /model (failed|timed out)/.test(l.message)));
  const stored = await history.load(conversation);
  assertConsistent(stored);
  assert.deepEqual(summary(stored), ["user:First question", ...(before ? [`assistant:${before}`] : [])]);

  gemini.respond = () => ({ deltas: words(REPLY) });
  const second = await turn("Second question");
  assert.equal(spoken(second.all), REPLY);
  const sent = gemini.requests.at(-1)!.body.contents.map((c) => `${c.role}:${c.parts.map((p) => p.text).join("|")}`);
  assert.deepEqual(
    sent,
    before
      ? ["user:First question", `model:${before}`, "user:Second question"]
      : ["user:First question|Second question"],
  );
  const after = await history.load(conversation);
  assertConsistent(after);
  assert.equal(after.length, stored.length + 2);
}

for (const status of [500, 503, 429, 400]) {
  test(`a model HTTP ${status} ends the turn with the apology, and history keeps the user's message alone`, async () => {
    await modelFault({ errorStatus: status }, [""]);
  });
}

test("a model stream closed mid-way keeps what was spoken, then apologizes and ends", async () => {
  await modelFault({ deltas: ["One ", "two ", "three ", "four."], cutAfter: 2 }, ["One two "]);
});

test("a malformed chunk from the model keeps the deltas before it, then apologizes and ends", async () => {
  // The SDK errors its stream on the bad event, which drops a delta still queued behind it: either is consistent.
  await modelFault({ deltas: ["Fine ", "so far."], malformed: true }, ["Fine ", "Fine so far."]);
});

test("a model that never answers is aborted after the timeout: apology, response.end, upstream closed", async () => {
  const started = Date.now();
  await modelFault({ hang: true }, [""]);
  const hung = gemini.requests.at(-2)!;
  assert.equal(await hung.closed, true, "the hanging upstream request was aborted");
  assert.ok(Date.now() - started < 5000);
});

test("a model slower to start than the timeout is aborted the same way", async () => {
  await modelFault({ startDelayMs: 1500, deltas: ["Too late."] }, [""]);
});

test("a model slow to start within the timeout is answered in full", async () => {
  const { history, conversation, turn } = setup({ modelTimeoutMs: 1000 });
  gemini.respond = () => ({ startDelayMs: 500, deltas: words(REPLY), delayMs: 20 });
  const { all, turnId } = await turn("Take your time");
  assertEndsOnce(all, turnId);
  assert.equal(spoken(all), REPLY);
  assert.deepEqual(summary(await history.load(conversation)), ["user:Take your time", `assistant:${REPLY}`]);
});

test("a store that is down: the turn is answered without history, the error logged, nothing written", async () => {
  const { store, history, conversation, turn, lines } = setup();
  gemini.respond = () => ({ deltas: words(REPLY) });
  store.mode = "down";
  const { all, turnId } = await turn("Are you there?");
  assertEndsOnce(all, turnId);
  assert.equal(spoken(all), REPLY);
  assert.ok(lines.some((l) => l.level === "error" && /history unavailable/.test(l.message)));
  store.mode = "ok";
  assert.deepEqual(await history.load(conversation), []);
});

test("a slow store (150 ms an operation) still gets every turn answered and stored in order", async () => {
  const { store, history, conversation, turn } = setup();
  gemini.respond = (request) => ({ deltas: words(`Reply ${request.body.contents.length}`) });
  store.delayMs = 150;
  for (const text of ["One", "Two", "Three"]) {
    const { all, turnId } = await turn(text);
    assertEndsOnce(all, turnId);
  }
  store.delayMs = 0;
  assert.deepEqual(summary(await history.load(conversation)), [
    "user:One",
    "assistant:Reply 1",
    "user:Two",
    "assistant:Reply 3",
    "user:Three",
    "assistant:Reply 5",
  ]);
});

test("a store that throws on write: the turn is answered, the error logged, the stored conversation untouched", async () => {
  const { store, history, conversation, turn, lines } = setup();
  gemini.respond = () => ({ deltas: words(REPLY) });
  await turn("Before");
  const before = await store.inner.get(`conv:${conversation}`);
  store.mode = "readonly";
  const { all, turnId } = await turn("During");
  assertEndsOnce(all, turnId);
  assert.equal(spoken(all), REPLY);
  assert.ok(lines.some((l) => l.level === "error"), "the failed write is logged");
  store.mode = "ok";
  assert.deepEqual(await store.inner.get(`conv:${conversation}`), before, "nothing half-written");
  assertConsistent(await history.load(conversation));
});

test("a store failing on the reply's write keeps the user's message whole, and the next turn is consistent", async () => {
  const { store, history, conversation, turn, lines } = setup();
  gemini.respond = () => ({ deltas: words(REPLY) });
  await turn("One");
  // The replay guard's key (replay protection is on by default) and the user's message are written, the reply's write fails.
  store.failWritesAfter = store.writes + 2;
  const { all, turnId } = await turn("Two");
  assertEndsOnce(all, turnId);
  assert.ok(lines.some((l) => l.level === "error" && /history write failed/.test(l.message)));
  store.failWritesAfter = Infinity;
  assert.deepEqual(summary(await history.load(conversation)), ["user:One", `assistant:${REPLY}`, "user:Two"]);
  await turn("Three");
  const stored = await history.load(conversation);
  assertConsistent(stored);
  assert.deepEqual(summary(stored).slice(2), ["user:Two", "user:Three", `assistant:${REPLY}`]);
});

test("a store that never answers does not hold the turn: it is answered and ends within the model timeout", async () => {
  const { store, app, conversation } = setup({ modelTimeoutMs: 500 });
  gemini.respond = () => ({ deltas: words(REPLY) });
  store.mode = "hang";
  const body = {
    type: "message",
    session_id: "s",
    conversation_id: conversation,
    turn_id: uid("turn"),
    text: "Hello?",
  };
  const response = await app.fetch(await webhook(URL, body));
  const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 3000));
  try {
    const all = await Promise.race([frames(response), timeout]);
    assert.notEqual(all, "timeout", "no response.end 3 s after the request: the turn waits on the store forever");
    assertEndsOnce(all as ResponseFrame[], body.turn_id);
  } finally {
    store.release();
    await response.body?.cancel().catch(() => {});
    await guard.settled();
  }
});

test("a store that never answers holds no webhook and no work after it: each call gives up after STORE_TIMEOUT_MS, logged", async () => {
  const { store, app, conversation, lines } = setup({ storeTimeoutMs: 200, deleteOnSessionEnd: true });
  gemini.respond = () => ({ deltas: words(REPLY) });
  store.mode = "hang";
  const bounded = <T>(work: Promise<T>, what: string) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} waits on the store`)), 3000)));
    return Promise.race([work, late]).finally(() => clearTimeout(timer));
  };
  const ids = { session_id: "s", conversation_id: conversation };
  try {
    const send = async (body: Record<string, unknown>) => app.fetch(await webhook(URL, body));
    const start = await bounded(send({ type: "session.start", ...ids, turn_id: "t0" }).then(frames), "the welcome");
    assertEndsOnce(start, "t0");
    const body = messageBody(conversation, "Hello?");
    const all = await bounded(send(body).then(frames), "the turn");
    assert.equal(spoken(all), REPLY, "answered in full, without history");
    assertEndsOnce(all, body.turn_id);
    const end = await bounded(send({ type: "session.end", ...ids, transcript: [] }), "session.end");
    assert.equal(end.status, 200);
    await bounded(guard.settled(), "the work after the answers (the welcome's and the reply's writes, session.end)");
  } finally {
    store.release();
  }
  const timedOut = (message: string) => lines.filter((l) => l.message.startsWith(message) && l.errorClass === "TimeoutError");
  assert.equal(timedOut("replay guard unavailable: processing the webhook").length, 3, "the replay guard failed open");
  assert.equal(timedOut("history write failed").length, 1, "the welcome's write gave up");
  assert.equal(timedOut("history unavailable").length, 1, "the turn went on without history");
  assert.equal(timedOut("session.end hook failed").length, 1, "DELETE_ON_SESSION_END's delete gave up");
});

test("a corrupted stored conversation does not break every later turn: it is answered and replaced", async () => {
  for (
    const corrupt of ['{"messages":[null]}', '{"messages":[{"role":"user","text":5}]}', "not json", '{"messages":7}']
  ) {
    const { store, history, conversation, turn } = setup();
    gemini.respond = () => ({ deltas: words(REPLY) });
    await store.inner.set(`conv:${conversation}`, corrupt, { expected: null, ttlSeconds: 60 });
    const { all, turnId } = await turn("Hello");
    assertEndsOnce(all, turnId);
    assert.equal(spoken(all), REPLY, corrupt);
    const stored = await history.load(conversation).catch((error) => assert.fail(`${corrupt}: ${error}`));
    assert.ok(stored.some((m) => m?.role === "user" && m.text === "Hello"), `${corrupt}: the turn was stored`);
    assertConsistent(stored);
  }
});

test("a client gone before the first frame: the upstream call is aborted and history stays consistent", async () => {
  const { app, history, conversation } = setup();
  gemini.respond = () => ({ deltas: words("a b c d e f g h"), delayMs: 100 });
  const sent = gemini.requests.length;
  const body = { type: "message", session_id: "s", conversation_id: conversation, turn_id: uid("turn"), text: "Hi" };
  const response = await app.fetch(await webhook(URL, body));
  await response.body!.cancel();
  await guard.settled();
  await new Promise((resolve) => setTimeout(resolve, 100));
  for (const request of gemini.requests.slice(sent)) assert.equal(await request.closed, true, "aborted upstream");
  const stored = await history.load(conversation);
  assertConsistent(stored);
  assert.deepEqual(summary(stored).slice(0, 1), ["user:Hi"]);
});

test("a client gone after the first delta: the upstream call is aborted and the partial reply kept", async () => {
  const { app, history, conversation } = setup();
  const full = "a b c d e f g h";
  gemini.respond = () => ({ deltas: words(full), delayMs: 100 });
  const body = { type: "message", session_id: "s", conversation_id: conversation, turn_id: uid("turn"), text: "Hi" };
  const response = await app.fetch(await webhook(URL, body));
  const reader = response.body!.getReader();
  const first = await readUntilFirstFrame(reader);
  assert.match(first, /"content":"a "/);
  const upstream = gemini.requests.at(-1)!;
  await reader.cancel();
  assert.equal(await upstream.closed, true, "the upstream request closed before its end");
  await guard.settled();
  const stored = await history.load(conversation);
  assertConsistent(stored);
  assert.equal(stored.length, 2);
  assert.ok(stored[1].text.startsWith("a ") && full.startsWith(stored[1].text) && stored[1].text.length < full.length);
});

test("a client gone while the model is slow to start: the upstream call is aborted, no reply stored", async () => {
  const { app, history, conversation } = setup();
  gemini.respond = () => ({ startDelayMs: 400, deltas: words(REPLY) });
  const sent = gemini.requests.length;
  const body = { type: "message", session_id: "s", conversation_id: conversation, turn_id: uid("turn"), text: "Hi" };
  const response = await app.fetch(await webhook(URL, body));
  await new Promise((resolve) => setTimeout(resolve, 150));
  await response.body!.cancel();
  assert.equal(await gemini.requests[sent].closed, true);
  await guard.settled();
  assert.deepEqual(summary(await history.load(conversation)), ["user:Hi"]);
});

test("a client gone after response.end changes nothing: the full reply is stored", async () => {
  const { app, history, conversation } = setup();
  gemini.respond = () => ({ deltas: words(REPLY) });
  const body = { type: "message", session_id: "s", conversation_id: conversation, turn_id: uid("turn"), text: "Hi" };
  const response = await app.fetch(await webhook(URL, body));
  const reader = response.body!.getReader();
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  assert.match(text, /response\.end/);
  await reader.cancel();
  await guard.settled();
  assert.deepEqual(summary(await history.load(conversation)), ["user:Hi", `assistant:${REPLY}`]);
});

test("a reply is stored whatever its turn id, Object.prototype names included", async () => {
  for (const turnId of ["toString", "constructor", "__proto__", "hasOwnProperty"]) {
    const model = scriptedModel();
    const store = createMemoryStore();
    const app = createApp({
      env: { LAYERCODE_WEBHOOK_SECRET: SECRET },
      model,
      store,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      waitUntil: guard.waitUntil,
    });
    const conversation = uid("conv");
    // The user heard part of an earlier reply that was never stored: that is kept pending under its turn id.
    const interruption = { previous_turn_interrupted: true, text_heard: "Earlier", assistant_turn_id: "turn_lost" };
    const body = {
      type: "message",
      conversation_id: conversation,
      turn_id: turnId,
      text: "Hi",
      interruption_context: interruption,
    };
    await frames(await app.fetch(await webhook(URL, body)));
    await guard.settled();
    const stored = await createHistory(store).load(conversation);
    assert.deepEqual(summary(stored), ["user:Hi", "assistant:Echo: Hi"], turnId);
  }
});
