// Cloudflare Durable Objects: ConversationObject (bundled from storage/durable-object.ts with esbuild) runs in a real
// workerd through miniflare, without the nodejs_compat flag; the store talks to it from this process (Bun or Deno)
// through miniflare's binding proxy. Expiry is the object's own clock, so that case waits a second and a half.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { createReplayGuard } from "../../lib/replay.ts";
import { signWebhook, verifySignature } from "../../lib/signature.ts";
import {
  ConversationObject,
  createDurableObjectStore,
  type DurableObjectNamespaceLike,
  type DurableObjectStorageLike,
  REPLAY_OBJECTS,
} from "../../storage/durable-object.ts";
import { storageSuite } from "../support/store-suite.ts";

const root = new URL("../../", import.meta.url).pathname;

/** The Worker: ConversationObject, and a fetch handler that runs the real adapters and history inside workerd. */
const entry = `
export { ConversationObject } from "./storage/durable-object.ts";
import { storeFromEnv } from "./storage/from-env.ts";
import { createHistory } from "./lib/history.ts";

export default {
  async fetch(request, env) {
    const binding = new URL(request.url).searchParams.get("binding");
    const store = await storeFromEnv({ SESSIONS: env[binding] });
    const history = createHistory(store);
    const id = crypto.randomUUID();
    const turn = await history.begin(id, { role: "user", text: "Hello from workerd", turnId: "t1", at: Date.now() });
    await history.finish(turn, { role: "assistant", text: "Hi!", turnId: "t1", at: Date.now() });
    return Response.json({ store: store.name, atomic: store.atomic, messages: (await history.load(id)).map((m) => m.text) });
  },
};`;
const bundle = await build({
  stdin: { contents: entry, resolveDir: root, sourcefile: "worker.js", loader: "js" },
  bundle: true,
  format: "esm",
  platform: "neutral",
  write: false,
});
const worker = {
  modules: true,
  script: bundle.outputFiles[0].text,
  compatibilityDate: "2025-01-01",
  compatibilityFlags: [], // no nodejs_compat
  durableObjects: { SESSIONS: "ConversationObject" },
  kvNamespaces: ["KV_SESSIONS"],
};
const mf = new Miniflare(worker);
// Miniflare types its bindings with @cloudflare/workers-types, which this project does not install: name the shape.
const namespace = await mf.getDurableObjectNamespace("SESSIONS") as unknown as DurableObjectNamespaceLike;
after(() => mf.dispose());

storageSuite({
  name: "durable-object",
  atomic: true,
  expiry: { engineTtlSeconds: 1, waitMs: 1500 },
  create: () => createDurableObjectStore({ namespace }),
  down: async () => {
    const stopped = new Miniflare(worker);
    const binding = await stopped.getDurableObjectNamespace("SESSIONS") as unknown as DurableObjectNamespaceLike;
    await stopped.dispose();
    return createDurableObjectStore({ namespace: binding });
  },
});

test("durable-object: storeFromEnv(), the Durable Object and KV stores and the history run inside workerd without nodejs_compat", async () => {
  for (const [binding, store, atomic] of [["SESSIONS", "durable-object", true], ["KV_SESSIONS", "cloudflare-kv", false]]) {
    const response = await mf.dispatchFetch(`http://worker/?binding=${binding}`);
    assert.equal(response.status, 200, await response.clone().text());
    assert.deepEqual(await response.json(), { store, atomic, messages: ["Hello from workerd", "Hi!"] });
  }
});

test("durable-object: an object answers a malformed operation with 400 and a JSON error", async () => {
  const stub = namespace.get(namespace.idFromName("conv:malformed"));
  for (const body of ["not json", JSON.stringify({ op: "get" }), JSON.stringify({ op: "drop", key: "k" })]) {
    const response = await stub.fetch("https://conversation-object/", { method: "POST", body });
    assert.equal(response.status, 400);
    assert.equal(typeof (await response.json() as { error: string }).error, "string");
  }
});

test("durable-object: with replay protection, webhooks' keys go to at most 16 objects, not one object per webhook", async () => {
  const names = new Set<string>();
  const spied: DurableObjectNamespaceLike = {
    idFromName: (name) => {
      names.add(name);
      return namespace.idFromName(name);
    },
    get: (id) => namespace.get(id),
  };
  const guard = createReplayGuard({ store: createDurableObjectStore({ namespace: spied }) });
  const signed = await Promise.all(Array.from({ length: 100 }, async (_, i) => {
    const body = JSON.stringify({ type: "message", conversation_id: "c", turn_id: `t${i}`, text: crypto.randomUUID() });
    return await verifySignature(await signWebhook(body, "secret"), body, { secrets: ["secret"] });
  }));
  for (const signature of signed) assert.equal(await guard.seen(signature), false);
  assert.ok(names.size <= REPLAY_OBJECTS, `${names.size} objects for 100 webhooks`);
  assert.ok(names.size > 1, "spread over several objects");
  for (const signature of signed.slice(0, 10)) assert.equal(await guard.seen(signature), true, "a replay is seen");
});

test("durable-object: an object's alarm is only ever brought forward, so steady writes cannot postpone its sweep", async () => {
  const data = new Map<string, unknown>();
  let alarm: number | null = null;
  const storage: DurableObjectStorageLike = {
    get: <T>(key: string) => Promise.resolve(data.get(key) as T | undefined),
    put: (key, value) => Promise.resolve(void data.set(key, value)),
    delete: (key) => Promise.resolve(data.delete(key)),
    list: <T>() => Promise.resolve(new Map(data) as Map<string, T>),
    getAlarm: () => Promise.resolve(alarm),
    setAlarm: (time) => Promise.resolve(void (alarm = time)),
  };
  const object = new ConversationObject({ storage });
  const set = (key: string) =>
    object.fetch(new Request("https://conversation-object/", {
      method: "POST",
      body: JSON.stringify({ op: "set", key, value: "1", expected: null, ttlSeconds: 600 }),
    }));
  await set("replay:a1");
  const first = alarm!;
  await new Promise((resolve) => setTimeout(resolve, 5));
  await set("replay:a2");
  assert.equal(alarm, first, "the second write left the earlier alarm in place");
});
