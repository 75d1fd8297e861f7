// The in-process store, the default: its own engine, with the suite's clock.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createMemoryStore } from "../../storage/memory.ts";
import { storageSuite } from "../support/store-suite.ts";

storageSuite({
  name: "memory",
  atomic: true,
  expiry: "clock",
  create: (clock) => createMemoryStore({ now: clock.now }),
  // No `down` case: an in-process Map cannot be unreachable.
});

test("memory: expired conversations are swept by the next write, so memory comes back down after they expire", async () => {
  let time = 0;
  const store = createMemoryStore({ now: () => time });
  for (let i = 0; i < 1000; i++) await store.set(`conv:${i}`, "x".repeat(100), { expected: null, ttlSeconds: 60 });
  assert.equal(store.size, 1000);
  time += 61_000;
  await store.set("conv:new", "y", { expected: null, ttlSeconds: 60 });
  assert.equal(store.size, 1, "only the new conversation is left");
});

test("memory: the least recently written conversation goes first past maxKeys", async () => {
  const store = createMemoryStore({ maxKeys: 3 });
  for (const key of ["a", "b", "c"]) await store.set(key, key, { expected: null, ttlSeconds: 60 });
  const b = await store.get("b");
  await store.set("b", "b2", { expected: b!.version, ttlSeconds: 60 });
  await store.set("d", "d", { expected: null, ttlSeconds: 60 });
  assert.equal(store.size, 3);
  assert.equal(await store.get("a"), null);
  assert.equal((await store.get("b"))?.value, "b2");
});

test("memory: past maxBytes the least recently written values go first, so long summaries cannot pile up", async () => {
  const store = createMemoryStore({ maxBytes: 1_000_000 });
  const summary = "s".repeat(222_000); // a long call's summary: 444 KB as two bytes per character
  for (let i = 0; i < 300; i++) await store.set(`summary:${i}`, summary, { expected: null, ttlSeconds: 30 * 86_400 });
  assert.ok(store.bytes <= 1_000_000, `holds ${store.bytes} bytes`);
  assert.equal(store.size, 2);
  assert.equal((await store.get("summary:299"))?.value, summary, "the newest is kept");
  assert.equal(await store.get("summary:0"), null, "the oldest went first");
  await store.delete("summary:299");
  await store.delete("summary:298");
  assert.equal(store.bytes, 0, "deletes give the bytes back");
});

test("memory: over thousands of writes, rewrites, deletes and expiries, eviction keeps exactly the most recently written live keys", async () => {
  let time = 0;
  const maxKeys = 50;
  const store = createMemoryStore({ maxKeys, now: () => time });
  // The reference: keys in write order with their expiry, evicted from the front as the store promises.
  const model: { key: string; value: string; expiresAt: number }[] = [];
  let seed = 7;
  const random = (n: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n;
  for (let step = 0; step < 5000; step++) {
    const key = `k${random(120)}`;
    const action = random(10);
    time += random(3) * 1000;
    const live = (i: number) => model[i].expiresAt > time;
    if (action === 0) {
      await store.delete(key);
      const at = model.findIndex((m) => m.key === key);
      if (at >= 0) model.splice(at, 1);
    } else if (action === 1) {
      const got = await store.get(key);
      const at = model.findIndex((m) => m.key === key);
      assert.equal(got?.value, at >= 0 && live(at) ? model[at].value : undefined, `step ${step}: get ${key}`);
      if (at >= 0 && !live(at)) model.splice(at, 1);
    } else {
      const current = await store.get(key);
      const before = model.findIndex((m) => m.key === key);
      if (before >= 0 && !live(before)) model.splice(before, 1);
      const value = `v${step}`;
      assert.notEqual(
        await store.set(key, value, { expected: current?.version ?? null, ttlSeconds: 1 + random(60) }),
        null,
      );
      const at = model.findIndex((m) => m.key === key);
      if (at >= 0) model.splice(at, 1);
      model.push({ key, value, expiresAt: time + 1000 * (1 + (seed % 60)) });
      // Reference eviction: from the oldest write, while over the bound or expired, never the key just written.
      while (model.length > 0 && model[0].key !== key && (model.length > maxKeys || !live(0))) model.shift();
    }
  }
  assert.ok(store.size <= maxKeys, `holds ${store.size} keys`);
  for (const m of model) if (m.expiresAt > time) assert.equal((await store.get(m.key))?.value, m.value, m.key);
});

test("memory: a key rewritten thousands of times neither disturbs nor outlives the write order of the others", async () => {
  const store = createMemoryStore({ maxKeys: 3 });
  const write = async (key: string, value: string) => {
    const current = await store.get(key);
    assert.notEqual(await store.set(key, value, { expected: current?.version ?? null, ttlSeconds: 3600 }), null);
  };
  await write("a", "a1");
  await write("b", "b1");
  // Far more rewrites than keys: the store drops what it keeps of the older writes of "hot" on the way.
  for (let i = 0; i < 5000; i++) await write("hot", `hot${i}`);
  await write("d", "d1"); // over maxKeys: "a", the least recently written, goes
  assert.equal(await store.get("a"), null);
  assert.equal((await store.get("b"))?.value, "b1");
  await write("e", "e1"); // then "b"
  assert.equal(await store.get("b"), null);
  await write("f", "f1"); // then "hot", written before "d", "e" and "f"
  assert.equal(await store.get("hot"), null);
  assert.deepEqual(
    await Promise.all(["d", "e", "f"].map(async (k) => (await store.get(k))?.value)),
    ["d1", "e1", "f1"],
  );
  assert.equal(store.size, 3);
});
