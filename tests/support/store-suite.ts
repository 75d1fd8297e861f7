/**
 * The storage conformance suite: the same cases for every backend, through the raw {@link ConversationStore} and
 * through `createHistory()`. Each backend's test file calls {@link storageSuite} with what varies.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createHistory as createHistoryOn, type HistoryOptions } from "../../lib/history.ts";
import type { Message } from "../../lib/message.ts";
import { StoreError } from "../../storage/errors.ts";
import type { ConversationStore, SetOptions } from "../../storage/types.ts";

/** The suite's clock, handed to stores that take a `now()`. Starts at the real time. */
export interface TestClock {
  now: () => number;
  advance(ms: number): void;
}

/** What varies between backends. */
export interface StorageSuiteOptions {
  /** The backend's name: it starts every test name and must equal `store.name`. */
  name: string;
  /** A store on the backend. Called once per case; it may share one connection (keys are unique per case). */
  create: (clock: TestClock) => ConversationStore | Promise<ConversationStore>;
  /** Whether the backend promises an atomic compare-and-set (the concurrency cases run only then). */
  atomic: boolean;
  /**
   * How expiry is observed: `"clock"` when the store checks expiry against the `now()` it was given (no waiting),
   * or the engine's own expiry, with a short TTL and a real wait, where the expiry runs inside the engine.
   */
  expiry: "clock" | { engineTtlSeconds: number; waitMs: number };
  /** A store whose backend is down or unreachable (absent where the backend cannot be down, e.g. memory). */
  down?: () => ConversationStore | Promise<ConversationStore>;
  /** Skip every case, with this reason (only outside CI: a backend that is not running locally). */
  skip?: string;
}

/** `createHistory()` with a ten-minute TTL, so that what the cases write to a shared server goes away soon. */
const createHistory = (store: ConversationStore, options: HistoryOptions = {}) =>
  createHistoryOn(store, { ttlSeconds: 600, ...options });
const user = (turnId: string, text: string, at = 0): Message => ({ role: "user", text, turnId, at });
const reply = (turnId: string, text: string, at = 0): Message => ({ role: "assistant", text, turnId, at });
const texts = (messages: Message[]) => messages.map((m) => `${m.role}:${m.turnId}:${m.text}`);
const bytes = (text: string) => new TextEncoder().encode(text).byteLength;

/** A store that counts the operations made on it, or fails the next `set` (before or after it reaches the backend). */
function instrument(store: ConversationStore) {
  const calls = { get: 0, set: 0, delete: 0 };
  let failNextSet: "before" | "after" | undefined;
  const wrapped: ConversationStore = {
    name: store.name,
    atomic: store.atomic,
    get(key) {
      calls.get++;
      return store.get(key);
    },
    async set(key: string, value: string, options: SetOptions) {
      calls.set++;
      const fail = failNextSet;
      failNextSet = undefined;
      if (fail === "before") throw new StoreError({ store: store.name, operation: "set", cause: new Error("injected failure") });
      const version = await store.set(key, value, options);
      if (fail === "after") throw new StoreError({ store: store.name, operation: "set", cause: new Error("injected lost answer") });
      return version;
    },
    delete(key) {
      calls.delete++;
      return store.delete(key);
    },
  };
  return {
    store: wrapped,
    calls,
    reset: () => Object.assign(calls, { get: 0, set: 0, delete: 0 }),
    failNextSet: (when: "before" | "after") => void (failNextSet = when),
  };
}

/** Registers the conformance cases of one backend, each a flat top-level `test()` named `<name>: <sentence>`. */
export function storageSuite(options: StorageSuiteOptions): void {
  const { name } = options;
  let sequence = 0;

  /** A fresh clock, store, and conversation id that no other case, run or runtime uses. */
  async function setup() {
    let time = Date.now();
    const clock: TestClock = { now: () => time, advance: (ms) => void (time += ms) };
    const store = await options.create(clock);
    const id = `${name}-${++sequence}-${crypto.randomUUID()}`;
    return { clock, store, id, key: `conv:${id}` };
  }

  const it = (title: string, fn: () => Promise<void>) =>
    options.skip ? test(`${name}: ${title}`, { skip: options.skip }, fn) : test(`${name}: ${title}`, fn);

  it(`the store is named ${name} and declares atomic: ${options.atomic}`, async () => {
    const { store } = await setup();
    assert.equal(store.name, name);
    assert.equal(store.atomic, options.atomic);
  });

  it("get() of a missing key is null, and a missing conversation loads as empty", async () => {
    const { store, id, key } = await setup();
    assert.equal(await store.get(key), null);
    assert.deepEqual(await createHistory(store).load(id), []);
  });

  it("set() creates a key get() returns with its version; a versioned set() replaces it; delete() forgets it", async () => {
    const { store, key } = await setup();
    const ttl = { ttlSeconds: 600 };
    const first = await store.set(key, "first é 👋", { expected: null, ...ttl });
    assert.equal(typeof first, "string");
    assert.deepEqual(await store.get(key), { value: "first é 👋", version: first });
    const second = await store.set(key, '{"json":"as text"}', { expected: first, ...ttl });
    assert.equal(typeof second, "string");
    assert.notEqual(second, first);
    assert.deepEqual(await store.get(key), { value: '{"json":"as text"}', version: second });
    await store.delete(key);
    assert.equal(await store.get(key), null);
    await store.delete(key); // deleting a missing key is fine
  });

  it("set() refuses a stale version and a key expected absent, leaving the stored value as it was", async () => {
    const { store, key } = await setup();
    const ttl = { ttlSeconds: 600 };
    const first = await store.set(key, "one", { expected: null, ...ttl });
    const second = await store.set(key, "two", { expected: first, ...ttl });
    assert.equal(await store.set(key, "stale", { expected: first, ...ttl }), null);
    assert.equal(await store.set(key, "absent?", { expected: null, ...ttl }), null);
    assert.deepEqual(await store.get(key), { value: "two", version: second });
    await store.delete(key);
    assert.equal(typeof await store.set(key, "again", { expected: null, ...ttl }), "string");
  });

  it("a conversation round-trips through createHistory(): message, reply, next turn, delete", async () => {
    const { store, id, clock } = await setup();
    const history = createHistory(store);
    const first = await history.begin(id, user("t1", "Hello there", clock.now()));
    assert.deepEqual(texts(first.doc.messages), ["user:t1:Hello there"]);
    await history.finish(first, reply("t1", "Hi! How can I help?", clock.now()));
    const second = await history.begin(id, user("t2", "What time is it?", clock.now()));
    assert.deepEqual(texts(second.doc.messages), ["user:t1:Hello there", "assistant:t1:Hi! How can I help?", "user:t2:What time is it?"]);
    await history.finish(second, reply("t2", "It is noon.", clock.now()));
    const loaded = await history.load(id);
    assert.deepEqual(texts(loaded), [...texts(second.doc.messages), "assistant:t2:It is noon."]);
    assert.equal(loaded[0].at, clock.now());
    await history.delete(id);
    assert.deepEqual(await history.load(id), []);
  });

  it("conversations are kept apart by id", async () => {
    const { store, id } = await setup();
    const history = createHistory(store);
    await history.begin(`${id}-a`, user("t1", "I am A"));
    await history.begin(`${id}-b`, user("t1", "I am B"));
    assert.deepEqual(texts(await history.load(`${id}-a`)), ["user:t1:I am A"]);
    assert.deepEqual(texts(await history.load(`${id}-b`)), ["user:t1:I am B"]);
  });

  it("two tenants that reuse a conversation_id never see each other's history (keys namespaced per agent)", async () => {
    const { store, id } = await setup();
    const history = createHistory(store);
    // The agent handler keys a conversation `${agent.id}:${conversation_id}` when resolveAgent names agents.
    const dental = await history.begin(`dental:${id}`, user("t1", "A cleaning please"));
    await history.finish(dental, reply("t1", "Tuesday at nine?"));
    await history.begin(`bistro:${id}`, user("t1", "Table for two"));
    assert.deepEqual(texts(await history.load(`dental:${id}`)), ["user:t1:A cleaning please", "assistant:t1:Tuesday at nine?"]);
    assert.deepEqual(texts(await history.load(`bistro:${id}`)), ["user:t1:Table for two"]);
    assert.deepEqual(await history.load(id), []);
  });

  it("the history keeps the newest messages within its message cap, the oldest turns dropping first", async () => {
    const { store, id } = await setup();
    const history = createHistory(store, { maxMessages: 6 });
    for (let turn = 1; turn <= 8; turn++) {
      const state = await history.begin(id, user(`t${turn}`, `question ${turn}`));
      await history.finish(state, reply(`t${turn}`, `answer ${turn}`));
    }
    const expected = [6, 7, 8].flatMap((turn) => [`user:t${turn}:question ${turn}`, `assistant:t${turn}:answer ${turn}`]);
    assert.deepEqual(texts(await history.load(id)), expected);
  });

  it("a conversation stays within its byte bound below 64 KiB, with text beyond Latin-1, oldest first out", async () => {
    const { store, id, key } = await setup();
    const maxBytes = 60_000;
    const history = createHistory(store, { maxBytes, maxMessages: 1000 });
    // Curly quotes, accents and emoji: LLM output has them, and they change how some engines size a string.
    const line = (turn: number) => `Turn ${turn}: it’s “quoted”, déjà vu, naïve café 👋 `.repeat(30);
    for (let turn = 1; turn <= 40; turn++) {
      const state = await history.begin(id, user(`t${turn}`, line(turn)));
      await history.finish(state, reply(`t${turn}`, line(turn)));
    }
    const stored = await store.get(key);
    assert.ok(stored);
    assert.ok(bytes(stored.value) <= maxBytes, `${bytes(stored.value)} bytes stored`);
    assert.ok(bytes(stored.value) > maxBytes - 5_000, "the bound keeps as much as fits");
    const messages = await history.load(id);
    assert.deepEqual(messages.at(-1), reply("t40", line(40)));
    const first = Number(messages[0].turnId.slice(1));
    const turns = messages.map((m) => Number(m.turnId.slice(1)));
    assert.deepEqual(turns, turns.toSorted((a, b) => a - b), "in order");
    assert.equal(new Set(turns).size, 41 - first, "a contiguous run of the newest turns");
    assert.ok(first > 1, "the oldest turns were dropped");
  });

  if (options.expiry === "clock") {
    it("an idle conversation expires after its TTL, each write renews it, and a new one starts in its place", async () => {
      const { store, id, key, clock } = await setup();
      const history = createHistory(store, { ttlSeconds: 60 });
      await history.begin(id, user("t1", "first"));
      clock.advance(59_000);
      assert.deepEqual(texts(await history.load(id)), ["user:t1:first"]);
      await history.begin(id, user("t2", "second"));
      clock.advance(59_000);
      assert.deepEqual(texts(await history.load(id)), ["user:t1:first", "user:t2:second"], "renewed by the write");
      clock.advance(2_000);
      assert.equal(await store.get(key), null);
      assert.deepEqual(await history.load(id), []);
      await history.begin(id, user("t3", "a new start"));
      assert.deepEqual(texts(await history.load(id)), ["user:t3:a new start"]);
    });
  } else {
    const { engineTtlSeconds, waitMs } = options.expiry;
    it(`an idle conversation expires after its TTL (the engine's own expiry: ${engineTtlSeconds} s), and a new one starts in its place`, async () => {
      const { store, id, key } = await setup();
      const history = createHistory(store, { ttlSeconds: engineTtlSeconds });
      await history.begin(id, user("t1", "first"));
      assert.deepEqual(texts(await history.load(id)), ["user:t1:first"]);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      assert.equal(await store.get(key), null);
      assert.deepEqual(await history.load(id), []);
      await history.begin(id, user("t2", "a new start"));
      assert.deepEqual(texts(await history.load(id)), ["user:t2:a new start"]);
    });
  }

  it("a late reply of an interrupted turn neither erases nor reorders the next turn's messages", async () => {
    const { store, id } = await setup();
    const history = createHistory(store);
    const a = await history.begin(id, user("A", "Tell me about the weather"));
    // The caller barges in: turn B arrives while A's reply is still being generated (and not stored yet).
    const b = await history.begin(id, user("B", "Actually, what time is it?"), {
      previousTurnInterrupted: true,
      textHeard: "The weather today",
      assistantTurnId: "A",
    });
    await history.finish(b, reply("B", "It is noon."));
    await history.finish(a, reply("A", "The weather today is sunny with a light breeze."));
    assert.deepEqual(texts(await history.load(id)), [
      "user:A:Tell me about the weather",
      "assistant:A:The weather today",
      "user:B:Actually, what time is it?",
      "assistant:B:It is noon.",
    ]);
  });

  it("a webhook delivered twice stores its message once, and a reply stored twice is kept once", async () => {
    const { store, id } = await setup();
    const history = createHistory(store);
    const first = await history.begin(id, user("t1", "Hello", 1));
    const again = await history.begin(id, user("t1", "Hello", 2));
    await history.finish(first, reply("t1", "Hi there", 3));
    await history.finish(again, reply("t1", "Hi there", 4));
    assert.deepEqual(texts(await history.load(id)), ["user:t1:Hello", "assistant:t1:Hi there"]);
  });

  it("an interrupted reply becomes what the caller heard (text_heard); nothing heard removes it", async () => {
    const { store, id } = await setup();
    const history = createHistory(store);
    const t1 = await history.begin(id, user("t1", "Read me a poem"));
    await history.finish(t1, reply("t1", "Roses are red, violets are blue, sugar is sweet."));
    const t2 = await history.begin(id, user("t2", "Stop, a shorter one"), {
      previousTurnInterrupted: true,
      textHeard: "Roses are red,",
    });
    await history.finish(t2, reply("t2", "Cats nap in sun."));
    await history.begin(id, user("t3", "Never mind"), { previousTurnInterrupted: true, textHeard: "" });
    assert.deepEqual(texts(await history.load(id)), [
      "user:t1:Read me a poem",
      "assistant:t1:Roses are red,",
      "user:t2:Stop, a shorter one",
      "user:t3:Never mind",
    ]);
  });

  if (options.atomic) {
    it("compare-and-set loses no update when 12 writers increment one key at once", async () => {
      const { store, key } = await setup();
      const increment = async () => {
        for (;;) {
          const current = await store.get(key);
          const next = String(Number(current?.value ?? 0) + 1);
          if (await store.set(key, next, { expected: current?.version ?? null, ttlSeconds: 600 }) !== null) return;
        }
      };
      await Promise.all(Array.from({ length: 12 }, async () => {
        for (let i = 0; i < 2; i++) await increment();
      }));
      assert.equal((await store.get(key))?.value, "24");
    });

    it("eight turns that begin at once are all stored, each once", async () => {
      const { store, id } = await setup();
      const history = createHistory(store);
      await Promise.all(Array.from({ length: 8 }, (_, i) => history.begin(id, user(`t${i}`, `writer ${i}`))));
      const stored = texts(await history.load(id)).toSorted();
      assert.deepEqual(stored, Array.from({ length: 8 }, (_, i) => `user:t${i}:writer ${i}`).toSorted());
    });
  }

  it("a turn costs one read and at most two writes, however long the conversation", async () => {
    const { store, id } = await setup();
    const counted = instrument(store);
    const history = createHistory(counted.store);
    for (let turn = 1; turn <= 20; turn++) {
      const state = await history.begin(id, user(`t${turn}`, `question ${turn}`));
      await history.finish(state, reply(`t${turn}`, `answer ${turn}`));
    }
    counted.reset();
    const state = await history.begin(id, user("t21", "one more"), { previousTurnInterrupted: true, textHeard: "answer" });
    await history.finish(state, reply("t21", "sure"));
    assert.deepEqual(counted.calls, { get: 1, set: 2, delete: 0 });
    counted.reset();
    await history.begin(id, user("t21", "one more")); // a duplicate delivery writes nothing
    assert.deepEqual(counted.calls, { get: 1, set: 0, delete: 0 });
  });

  it("a failed write leaves the stored conversation whole, as before or after that write, never in between", async () => {
    const { store, id } = await setup();
    const counted = instrument(store);
    const history = createHistory(counted.store);
    const t1 = await history.begin(id, user("t1", "Hello"));
    counted.failNextSet("before");
    await assert.rejects(history.finish(t1, reply("t1", "Hi")), StoreError);
    assert.deepEqual(texts(await history.load(id)), ["user:t1:Hello"]);
    counted.failNextSet("after");
    await assert.rejects(history.finish(t1, reply("t1", "Hi")), StoreError);
    assert.deepEqual(texts(await history.load(id)), ["user:t1:Hello", "assistant:t1:Hi"]);
    const t2 = await history.begin(id, user("t2", "Still there?"));
    await history.finish(t2, reply("t2", "Yes."));
    assert.deepEqual(texts(await history.load(id)), ["user:t1:Hello", "assistant:t1:Hi", "user:t2:Still there?", "assistant:t2:Yes."]);
  });

  it("a value as large as the declared maxValueBytes is stored and read back whole, even in multi-byte text", async () => {
    const { store, key } = await setup();
    const limit = store.maxValueBytes ?? 200_000; // without a declared limit: a long call's summary fits
    const value = "é".repeat(Math.floor(limit / 4)) + "x".repeat(limit - 2 * Math.floor(limit / 4));
    assert.equal(new TextEncoder().encode(value).byteLength, limit);
    const version = await store.set(key, value, { expected: null, ttlSeconds: 60 });
    assert.notEqual(version, null);
    assert.equal((await store.get(key))?.value, value);
  });

  if (options.down) {
    const down = options.down;
    it("a backend that is down fails every operation with a StoreError naming the store and the operation", async () => {
      const store = await down();
      const key = `conv:${name}-down-${crypto.randomUUID()}`;
      const expectFailure = (operation: string) => (error: unknown) => {
        assert.ok(error instanceof StoreError, `a StoreError, got ${error}`);
        assert.equal(error.store, name);
        assert.equal(error.operation, operation);
        assert.match(error.message, new RegExp(`^${name} store: ${operation} failed: .+`));
        return true;
      };
      await assert.rejects(store.get(key), expectFailure("get"));
      await assert.rejects(store.set(key, "x", { expected: null, ttlSeconds: 60 }), expectFailure("set"));
      await assert.rejects(store.delete(key), expectFailure("delete"));
      await assert.rejects(createHistory(store).begin("c", user("t1", "hello")), StoreError);
    });
  }
}
