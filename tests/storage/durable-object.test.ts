// Cloudflare Durable Objects: ConversationObject (bundled from storage/durable-object.ts with esbuild) runs in a real
// workerd through miniflare, without the nodejs_compat flag; the store talks to it from this process (Bun or Deno)
// through miniflare's binding proxy. Expiry is the object's own clock, so that case waits a second and a half.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { createDurableObjectStore, type DurableObjectNamespaceLike } from "../../storage/durable-object.ts";
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
