import assert from "node:assert/strict";
import { test } from "node:test";
import { createAgentCache } from "../lib/agent-cache.ts";

test("createAgentCache() keys by a digest: 1,200 conversations with 200 KB of metadata hold no copy of it", async () => {
  const cache = createAgentCache<{ id: string }>({ maxEntries: 2000 });
  const metadata = { blob: "m".repeat(200_000) };
  for (let i = 0; i < 1200; i++) await cache.get(`conv_${i}`, metadata, () => ({ id: "a" }));
  assert.equal(cache.size, 1200);
  assert.ok(cache.bytes < 1200 * 512, `${cache.bytes} bytes for 1,200 small profiles`);
});

test("createAgentCache() resolves once per conversation and metadata, and keeps no failure", async () => {
  const cache = createAgentCache<{ id: string }>();
  let calls = 0;
  const resolve = () => ({ id: `a${++calls}` });
  assert.equal((await cache.get("c1", { tenant: "x" }, resolve)).id, "a1");
  assert.equal((await cache.get("c1", { tenant: "x" }, resolve)).id, "a1");
  assert.equal((await cache.get("c1", { tenant: "y" }, resolve)).id, "a2");
  assert.equal((await cache.get("c2", { tenant: "x" }, resolve)).id, "a3");
  await assert.rejects(cache.get("c3", undefined, () => Promise.reject(new Error("down"))));
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal((await cache.get("c3", undefined, resolve)).id, "a4", "a failed resolution is tried again");
});

test("createAgentCache() drops the oldest profiles past its byte bound or its count bound", async () => {
  const bytes = createAgentCache<{ id: string; systemPrompt: string }>({ maxBytes: 100_000 });
  for (let i = 0; i < 10; i++) await bytes.get(`c${i}`, {}, () => ({ id: "a", systemPrompt: "p".repeat(20_000) }));
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.ok(bytes.bytes <= 100_000, `${bytes.bytes} bytes`);
  assert.ok(bytes.size < 10 && bytes.size >= 1, `${bytes.size} entries`);
  const count = createAgentCache<{ id: string }>({ maxEntries: 3 });
  for (let i = 0; i < 10; i++) await count.get(`c${i}`, {}, () => ({ id: "a" }));
  assert.equal(count.size, 3);
});
