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
