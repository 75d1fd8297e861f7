import assert from "node:assert/strict";
import { test } from "node:test";
import { createApp } from "../app/create-app.ts";
import { readConfig } from "../lib/config.ts";
import { parseEvent } from "../lib/events.ts";
import { createReplayGuard, replayAnswer } from "../lib/replay.ts";
import { signWebhook, verifySignature } from "../lib/signature.ts";
import { createMemoryStore } from "../storage/memory.ts";
import type { ConversationStore } from "../storage/types.ts";
import { scriptedModel } from "./support/scripted-model.ts";
import { frames, SECRET } from "./support/webhooks.ts";

const BODY = '{"type":"message","session_id":"s","conversation_id":"c","turn_id":"t1","text":"hi"}';
const bytes = (text: string) => new TextEncoder().encode(text);

/** A webhook's header and body as verifySignature() hands them to the guard (signed at 1_700_000_000 by default). */
async function verified(body: string | Uint8Array, header?: string, secrets: string[] = [SECRET]) {
  header ??= await signWebhook(body, SECRET, 1_700_000_000);
  const t = Number(/t=(\d+)/.exec(header)![1]);
  return await verifySignature(header, body, { secrets, now: () => t * 1000 });
}

test("createReplayGuard() reports a signed payload as seen the second time only", async () => {
  const guard = createReplayGuard({ store: createMemoryStore() });
  const header = await signWebhook(BODY, SECRET, 1_700_000_000);
  assert.equal(await guard.seen(await verified(BODY, header)), false);
  assert.equal(await guard.seen(await verified(BODY, header)), true);
  assert.equal(await guard.seen(await verified(bytes(BODY), header)), true, "a string and its bytes are the same payload");
  assert.equal(await guard.seen(await verified(BODY, await signWebhook(BODY, SECRET, 1_700_000_001))), false, "another timestamp");
  const other = BODY.replace("hi", "ho");
  assert.equal(await guard.seen(await verified(other)), false, "another body");
  assert.equal(await guard.seen(await verified(other)), true);
});

test("createReplayGuard() keys on the verified signature, so a rewritten header is still a replay", async () => {
  const guard = createReplayGuard({ store: createMemoryStore() });
  const header = await signWebhook(BODY, SECRET, 1_700_000_000);
  const [t, v1] = header.split(",");
  assert.equal(await guard.seen(await verified(BODY, header)), false);
  for (const rewritten of [` ${t} , ${v1} `, `${v1},${t}`, `${t},v1=${"0".repeat(64)},${v1}`, `${header},v2=abc`, `${header},${v1}`, v1.toUpperCase().replace("V1", "v1") + `,${t}`]) {
    assert.equal(await guard.seen(await verified(BODY, rewritten)), true, rewritten);
  }
});

test("createReplayGuard() knows a webhook signed under two secrets by either signature alone", async () => {
  const OLD = "old-secret-during-rotation";
  const first = await signWebhook(BODY, SECRET, 1_700_000_000);
  const second = await signWebhook(BODY, OLD, 1_700_000_000);
  const both = `${first},${second.split(",")[1]}`;
  for (const [original, replays] of [[both, [first, second, both]], [first, [both]], [second, [both]]] as const) {
    const guard = createReplayGuard({ store: createMemoryStore() });
    assert.equal(await guard.seen(await verified(BODY, original, [SECRET, OLD])), false, original);
    for (const replay of replays) {
      assert.equal(await guard.seen(await verified(BODY, replay, [OLD, SECRET])), true, `${original} then ${replay}`);
    }
  }
});

test("createReplayGuard() lets exactly one of many concurrent copies through, one signature or two in any order", async () => {
  const first = await signWebhook(BODY, SECRET, 1_700_000_000);
  const second = (await signWebhook(BODY, "another-secret", 1_700_000_000)).split(",")[1];
  const swapped = `${second},${first.split(",")[1]},${first.split(",")[0]}`;
  for (const headers of [[first], [`${first},${second}`, swapped]]) {
    const guard = createReplayGuard({ store: createMemoryStore() });
    // Two instances whose secrets are listed in either order: their signatures match in either order too.
    const secrets = [[SECRET, "another-secret"], ["another-secret", SECRET]];
    const signatures = await Promise.all(headers.map((header, i) => verified(BODY, header, secrets[i])));
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => guard.seen(signatures[i % signatures.length])));
    assert.equal(results.filter((seen) => !seen).length, 1, headers.join(" and "));
  }
});

test("createReplayGuard() forgets a webhook after ttlSeconds", async () => {
  let now = 1_700_000_000_000;
  const guard = createReplayGuard({ store: createMemoryStore({ now: () => now }), ttlSeconds: 600 });
  const header = await signWebhook(BODY, SECRET, 1_700_000_000);
  assert.equal(await guard.seen(await verified(BODY, header)), false);
  now += 599_000;
  assert.equal(await guard.seen(await verified(BODY, header)), true);
  now += 2_000;
  assert.equal(await guard.seen(await verified(BODY, header)), false, "by then verifySignature() refuses it as stale anyway");
});

test("createReplayGuard() stores one short key per webhook under its prefix, with the TTL", async () => {
  const writes: { key: string; value: string; ttlSeconds: number; expected: string | null }[] = [];
  const inner = createMemoryStore();
  const store: ConversationStore = {
    ...inner,
    name: "spy",
    atomic: true,
    set(key, value, options) {
      writes.push({ key, value, ...options });
      return inner.set(key, value, options);
    },
  };
  const guard = createReplayGuard({ store, ttlSeconds: 42, prefix: "rp:" });
  await guard.seen(await verified(BODY));
  assert.equal(writes.length, 1);
  assert.match(writes[0].key, /^rp:[0-9a-f]{64}$/);
  assert.deepEqual({ ...writes[0], key: "" }, { key: "", value: "1", ttlSeconds: 42, expected: null });
  assert.ok(!writes[0].key.includes(BODY) && !writes[0].key.includes(SECRET));
});

test("createReplayGuard() reads first on a store whose set is not atomic", async () => {
  const inner = createMemoryStore();
  // Last writer wins: `expected` is ignored, as on an eventually consistent KV.
  const store: ConversationStore = {
    ...inner,
    name: "last-writer-wins",
    atomic: false,
    async set(key, value, options) {
      const current = await inner.get(key);
      return inner.set(key, value, { ...options, expected: current?.version ?? null });
    },
  };
  const guard = createReplayGuard({ store });
  const header = await signWebhook(BODY, SECRET, 1_700_000_000);
  assert.equal(await guard.seen(await verified(BODY, header)), false);
  assert.equal(await guard.seen(await verified(BODY, header)), true);
});

test("createReplayGuard() fails open when the store is down, and reports the error", async () => {
  const errors: unknown[] = [];
  const down = new Error("store down");
  const store: ConversationStore = {
    name: "down",
    atomic: true,
    get: () => Promise.reject(down),
    set: () => Promise.reject(down),
    delete: () => Promise.reject(down),
  };
  const guard = createReplayGuard({ store, onError: (error) => errors.push(error) });
  const header = await signWebhook(BODY, SECRET, 1_700_000_000);
  assert.equal(await guard.seen(await verified(BODY, header)), false);
  assert.equal(await guard.seen(await verified(BODY, header)), false);
  assert.deepEqual(errors, [down, down]);
});

test("replayAnswer() ends a replayed message or session.start at once, with only response.end", async () => {
  for (const body of [BODY, '{"type":"session.start","conversation_id":"c","turn_id":"t0"}']) {
    const response = replayAnswer(parseEvent(body));
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type")!, /^text\/event-stream/);
    const turnId = JSON.parse(body).turn_id;
    assert.deepEqual(await frames(response), [{ type: "response.end", turn_id: turnId }]);
  }
});

test("replayAnswer() acknowledges other replayed events with 200 JSON", async () => {
  for (const type of ["data", "session.end", "session.update", "something.new"]) {
    const response = replayAnswer(parseEvent(JSON.stringify({ type, conversation_id: "c", turn_id: "t" })));
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { received: true, replayed: true });
  }
});

/** An app on `store` whose model counts its calls. */
function replayApp(store: ConversationStore, env: Record<string, string> = {}) {
  const model = scriptedModel();
  const app = createApp({ env: { LAYERCODE_WEBHOOK_SECRET: SECRET, LOG_LEVEL: "silent", ...env }, model, store });
  const send = async (body: string, header: string) =>
    await app.fetch(new Request("http://agent.test/agent", {
      method: "POST",
      headers: { "content-type": "application/json", "layercode-signature": header },
      body,
    }));
  return { model, send };
}

/** The same captured, signed message sent 5 times. */
async function replayFiveTimes(store: ConversationStore, env: Record<string, string> = {}) {
  const { model, send } = replayApp(store, env);
  const body = JSON.stringify({ type: "message", session_id: "s", conversation_id: crypto.randomUUID(), turn_id: "t1", text: "hi" });
  const header = await signWebhook(body, SECRET);
  for (let i = 0; i < 5; i++) {
    const response = await send(body, header);
    assert.equal(response.status, 200);
    await frames(response);
  }
  return model.calls.length;
}

/** Workers KV's shape: `set` ignores `expected` (last writer wins). */
function lastWriterWins(): ConversationStore {
  const inner = createMemoryStore();
  return {
    name: "last-writer-wins",
    atomic: false,
    get: (key) => inner.get(key),
    async set(key, value, options) {
      return inner.set(key, value, { ...options, expected: (await inner.get(key))?.version ?? null });
    },
    delete: (key) => inner.delete(key),
  };
}

test("replay protection is on by default on an atomic store: a message replayed 5 times calls the model once", async () => {
  assert.equal(await replayFiveTimes(createMemoryStore()), 1);
});

test("REPLAY_PROTECTION=false turns it off: each replay calls the model again", async () => {
  assert.equal(await replayFiveTimes(createMemoryStore(), { REPLAY_PROTECTION: "false" }), 5);
});

test("replay protection is off by default on a store that is not atomic, and REPLAY_PROTECTION=true turns it on", async () => {
  assert.equal(await replayFiveTimes(lastWriterWins()), 5, "unsound there by default: off, as documented");
  assert.equal(await replayFiveTimes(lastWriterWins(), { REPLAY_PROTECTION: "true" }), 1);
});

test("REPLAY_PROTECTION accepts only true or false, naming the variable otherwise", async () => {
  assert.throws(() => readConfig({ REPLAY_PROTECTION: "yes" }), /REPLAY_PROTECTION must be true or false/);
  assert.equal(readConfig({ REPLAY_PROTECTION: " FALSE " }).replayProtection, false);
  assert.equal(readConfig({}).replayProtection, undefined, "unset: decided by the store");
});
