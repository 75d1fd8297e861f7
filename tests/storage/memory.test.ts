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
