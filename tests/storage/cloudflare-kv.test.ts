// Cloudflare Workers KV: a real workerd KV namespace through miniflare, driven from this process (Bun or Deno) by
// miniflare's binding proxy. Workers KV has no compare-and-set, so the concurrency cases do not apply (see the
// store's documentation); expiry is checked against the suite's clock (KV's own expiry needs at least 60 s).
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { Miniflare } from "miniflare";
import { createHistory } from "../../lib/history.ts";
import { createCloudflareKvStore, type KvNamespaceLike } from "../../storage/cloudflare-kv.ts";
import { storageSuite } from "../support/store-suite.ts";

const worker = {
  modules: true,
  script: "export default { fetch: () => new Response(null, { status: 404 }) };",
  compatibilityDate: "2025-01-01",
  kvNamespaces: ["SESSIONS"],
};
const mf = new Miniflare(worker);
// Miniflare types its bindings with @cloudflare/workers-types, which this project does not install: name the shape.
const namespace = await mf.getKVNamespace("SESSIONS") as unknown as KvNamespaceLike;
after(() => mf.dispose());

storageSuite({
  name: "cloudflare-kv",
  atomic: false,
  expiry: "clock",
  create: (clock) => createCloudflareKvStore({ namespace, now: clock.now }),
  down: async () => {
    const stopped = new Miniflare(worker);
    const binding = await stopped.getKVNamespace("SESSIONS") as unknown as KvNamespaceLike;
    await stopped.dispose();
    return createCloudflareKvStore({ namespace: binding });
  },
});

test("cloudflare-kv: the version and expiry travel in the key's metadata, the value is the text itself", async () => {
  const store = createCloudflareKvStore({ namespace });
  const key = `conv:${crypto.randomUUID()}`;
  const version = await store.set(key, '{"messages":[]}', { expected: null, ttlSeconds: 120 });
  const stored = await namespace.getWithMetadata<{ version: string; expiresAt: number }>(key, "text");
  assert.equal(stored.value, '{"messages":[]}');
  assert.equal(stored.metadata?.version, version);
  assert.ok(Math.abs(stored.metadata!.expiresAt - (Date.now() + 120_000)) < 5_000);
});

test("cloudflare-kv: a write refused with 429 (one write per second per key) is tried again after a pause", async () => {
  let refusals = 1;
  const limited: KvNamespaceLike = {
    getWithMetadata: (key, type) => namespace.getWithMetadata(key, type),
    delete: (key) => namespace.delete(key),
    put(key, value, options) {
      if (refusals-- > 0) return Promise.reject(new Error("KV PUT failed: 429 Too Many Requests"));
      return namespace.put(key, value, options);
    },
  };
  const history = createHistory(createCloudflareKvStore({ namespace: limited, rateLimitRetryMs: 10 }));
  const id = crypto.randomUUID();
  await history.begin(id, { role: "user", text: "hello", turnId: "t1", at: 1 });
  assert.equal(refusals, -1, "the first put was refused, the second went through");
  assert.deepEqual((await history.load(id)).map((m) => m.text), ["hello"]);
});

test("cloudflare-kv: with checkBeforeWrite off, a turn costs one KV read and two KV writes", async () => {
  const calls = { reads: 0, writes: 0 };
  const counted: KvNamespaceLike = {
    getWithMetadata: (key, type) => (calls.reads++, namespace.getWithMetadata(key, type)),
    put: (key, value, options) => (calls.writes++, namespace.put(key, value, options)),
    delete: (key) => namespace.delete(key),
  };
  const history = createHistory(createCloudflareKvStore({ namespace: counted, checkBeforeWrite: false }));
  const id = crypto.randomUUID();
  const state = await history.begin(id, { role: "user", text: "hello", turnId: "t1", at: 1 });
  await history.finish(state, { role: "assistant", text: "hi", turnId: "t1", at: 2 });
  assert.deepEqual(calls, { reads: 1, writes: 2 });
  assert.deepEqual((await history.load(id)).map((m) => m.text), ["hello", "hi"]);
});
