// GET /health reports the store's state from one bounded check, cached, so that it never amplifies load on the store.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createApp } from "../app/create-app.ts";
import { createMemoryStore } from "../storage/memory.ts";
import type { ConversationStore } from "../storage/types.ts";
import { scriptedModel } from "./support/scripted-model.ts";
import { SECRET } from "./support/webhooks.ts";

function countingStore(mode: { hang: boolean }) {
  const inner = createMemoryStore();
  const calls = { reads: 0 };
  const hung: (() => void)[] = [];
  const store: ConversationStore = {
    name: "counting",
    atomic: true,
    get(key) {
      calls.reads++;
      if (mode.hang) return new Promise((resolve) => hung.push(() => resolve(null)));
      return new Promise((resolve) => setTimeout(() => resolve(inner.get(key)), 20));
    },
    set: (key, value, options) => inner.set(key, value, options),
    delete: (key) => inner.delete(key),
  };
  return { store, calls, release: () => hung.splice(0).forEach((resolve) => resolve()) };
}

function setup(mode: { hang: boolean }) {
  let now = 1_700_000_000_000;
  const { store, calls, release } = countingStore(mode);
  const app = createApp({
    env: { LAYERCODE_WEBHOOK_SECRET: SECRET, LOG_LEVEL: "silent" },
    config: { storeTimeoutMs: 200 },
    model: scriptedModel(),
    store,
    now: () => now,
  });
  const health = async () => await (await app.fetch(new Request("http://agent.test/health"))).json();
  return { health, calls, release, advance: (ms: number) => void (now += ms) };
}

test("/health reports a store that answers as ok, and checks it at most once per 5 seconds however many ask", async () => {
  const { health, calls, advance } = setup({ hang: false });
  const answers = await Promise.all(Array.from({ length: 50 }, health));
  assert.ok(answers.every((a) => a.status === "ok" && a.storeStatus === "ok" && a.store === "counting"));
  assert.equal(calls.reads, 1, "50 concurrent requests, one store read");
  advance(4000);
  await health();
  assert.equal(calls.reads, 1, "still cached after 4 s");
  advance(1500);
  await Promise.all(Array.from({ length: 20 }, health));
  assert.equal(calls.reads, 2, "one new check after 5 s");
});

test("/health reports a store that never answers as unavailable within STORE_TIMEOUT_MS, and stays up", async () => {
  const mode = { hang: true };
  const { health, calls, release, advance } = setup(mode);
  try {
    const answers = await Promise.all(Array.from({ length: 20 }, health));
    assert.ok(answers.every((a) => a.status === "degraded" && a.storeStatus === "unavailable"));
    assert.equal(calls.reads, 1, "a hung store is not asked again by every request");
    mode.hang = false;
    advance(5000);
    assert.equal((await health()).storeStatus, "ok", "back to ok once the store answers");
  } finally {
    release();
  }
});
