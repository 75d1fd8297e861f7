import assert from "node:assert/strict";
import { test } from "node:test";
import { idleTimeout, isTimeout, withTimeout } from "../lib/guards.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const never = () => new Promise<never>(() => {});

/** A source whose items the test hands out one by one; `finished` tells whether its `finally` ran. */
function manualSource() {
  const waiting: ((value: number) => void)[] = [];
  const state = { finished: false, ended: false };
  async function* items(): AsyncGenerator<number> {
    try {
      while (!state.ended) yield await new Promise<number>((resolve) => waiting.push(resolve));
    } finally {
      state.finished = true;
    }
  }
  const give = async (value: number) => {
    while (waiting.length === 0) await sleep(1);
    waiting.shift()!(value);
  };
  return { source: items(), give, state };
}

test("withTimeout() gives the work's value when the work answers in time", async () => {
  assert.equal(await withTimeout(Promise.resolve(42), 1000), 42);
  await assert.rejects(withTimeout(Promise.reject(new RangeError("no")), 1000), RangeError);
});

test("withTimeout() rejects with a TimeoutError when the work never settles", async () => {
  const error = await withTimeout(never(), 20).catch((error) => error);
  assert.ok(isTimeout(error), String(error));
  assert.match(String(error.message), /20 ms/);
});

test("idleTimeout() hands on every item of a source, then ends with it", async () => {
  async function* three() {
    yield* [1, 2, 3];
  }
  const seen: number[] = [];
  for await (const item of idleTimeout(three(), { timeoutMs: 1000 })) seen.push(item);
  assert.deepEqual(seen, [1, 2, 3]);
});

test("idleTimeout() rejects the pending item with a TimeoutError once the source is silent for too long", async () => {
  async function* silentAfterOne() {
    yield 1;
    await never();
  }
  const guarded = idleTimeout(silentAfterOne(), { timeoutMs: 20 });
  assert.deepEqual(await guarded.next(), { done: false, value: 1 });
  const error = await guarded.next().catch((error) => error);
  assert.ok(isTimeout(error), String(error));
  await assert.rejects(guarded.next(), (again) => again === error, "a tripped guard stays tripped");
});

test("idleTimeout() measures silence from the last item, on the clock it is given", async () => {
  let clock = 0;
  const { source, give } = manualSource();
  const guarded = idleTimeout(source, { timeoutMs: 10, now: () => clock });
  for (let i = 1; i <= 3; i++) {
    const next = guarded.next();
    await sleep(30); // real time passes (the timer fires), the given clock does not: no timeout
    clock += 8; // less than timeoutMs between two items
    await give(i);
    assert.deepEqual(await next, { done: false, value: i });
  }
  const next = guarded.next();
  clock += 11; // now silent for longer than timeoutMs
  const error = await next.catch((error) => error);
  assert.ok(isTimeout(error), String(error));
});

test("idleTimeout() rejects with the signal's reason when the signal aborts, even while the source hangs", async () => {
  async function* hanging() {
    await never();
    yield 1;
  }
  const controller = new AbortController();
  const guarded = idleTimeout(hanging(), { timeoutMs: 60_000, signal: controller.signal });
  const next = guarded.next();
  const reason = new Error("caller left");
  controller.abort(reason);
  await assert.rejects(next, (error) => error === reason);

  const already = idleTimeout(hanging(), { timeoutMs: 60_000, signal: controller.signal });
  await assert.rejects(already.next(), (error) => error === reason, "an aborted signal fails the first item");
});

test("idleTimeout()'s return() reaches the source, so that its cleanup runs", async () => {
  const { source, give, state } = manualSource();
  const guarded = idleTimeout(source, { timeoutMs: 60_000 });
  const next = guarded.next();
  await give(7);
  assert.deepEqual(await next, { done: false, value: 7 });
  await guarded.return?.();
  assert.equal(state.finished, true);
});

test("withTimeout() arms no timer for work that is already settled, and still bounds work that settles later", async () => {
  const real = globalThis.setTimeout;
  let armed = 0;
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    armed++;
    return real(...args);
  }) as typeof setTimeout;
  try {
    assert.equal(await withTimeout(Promise.resolve("stored"), 1000), "stored");
    await assert.rejects(withTimeout(Promise.reject(new RangeError("no")), 1000), RangeError);
    assert.equal(armed, 0, "settled work needs no timer");
    const late = withTimeout(new Promise((resolve) => real(resolve, 5, "late")), 1000);
    assert.equal(await late, "late");
    assert.equal(armed, 1, "work that is not settled at once is bounded by a timer");
    const error = await withTimeout(never(), 20).catch((error) => error);
    assert.ok(isTimeout(error), String(error));
  } finally {
    globalThis.setTimeout = real;
  }
});

test("idleTimeout() hands out items in order to next() calls that do not wait for each other", async () => {
  async function* three() {
    yield* [1, 2, 3];
  }
  const guarded = idleTimeout(three(), { timeoutMs: 1000 });
  const results = await Promise.all([guarded.next(), guarded.next(), guarded.next(), guarded.next()]);
  assert.deepEqual(results.map((r) => r.done ? "done" : r.value), [1, 2, 3, "done"]);
});
