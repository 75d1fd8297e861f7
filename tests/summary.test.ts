// Post-call summaries: session.end has its own body limit, and the template's summary fits each store's value limit.
import assert from "node:assert/strict";
import { test } from "node:test";
import { agent } from "../agent.ts";
import { createApp } from "../app/create-app.ts";
import type { SessionSummary } from "../lib/types.ts";
import { serializeSummary, type StoredSummary } from "../lib/summary.ts";
import { createDenoKvStore, type DenoKvClient } from "../storage/deno-kv.ts";
import { createMemoryStore } from "../storage/memory.ts";
import type { ConversationStore } from "../storage/types.ts";
import { scriptedModel } from "./support/scripted-model.ts";
import { messageBody, SECRET, uid, webhook } from "./support/webhooks.ts";

const URL = "http://agent.test/agent";
const bytes = (text: string) => new TextEncoder().encode(text).byteLength;

/** A long call: `lines` transcript lines of about 100 bytes each, numbered. */
function transcript(lines: number) {
  return Array.from({ length: lines }, (_, i) => ({
    role: i % 2 ? "assistant" as const : "user" as const,
    text: `Line ${i}: ${"words of a long call ".repeat(4)}`,
    timestamp: 1_700_000_000_000 + i,
  }));
}

function summaryOf(lines: number): SessionSummary {
  return { conversationId: "c", durationMs: 1, transcript: transcript(lines), latency: {}, metadata: {} };
}

test("serializeSummary() keeps a summary that fits as it is", () => {
  const summary = summaryOf(10);
  assert.equal(serializeSummary(summary, { maxBytes: 65_000 }), JSON.stringify(summary));
});

test("serializeSummary() leaves lines out of the middle of a long call to fit, keeping its beginning and end", () => {
  const summary = summaryOf(1200); // about 111 KB
  assert.ok(bytes(JSON.stringify(summary)) > 100_000);
  const text = serializeSummary(summary, { maxBytes: 65_000 });
  assert.ok(bytes(text) <= 65_000, `${bytes(text)} bytes`);
  const stored = JSON.parse(text) as StoredSummary;
  assert.deepEqual(stored.transcript[0], summary.transcript[0], "the first line is kept");
  assert.deepEqual(stored.transcript.at(-1), summary.transcript.at(-1), "the last line is kept");
  assert.equal(stored.transcript.length + stored.transcriptOmitted!, 1200);
  assert.ok(
    bytes(serializeSummary(summary, { maxBytes: 65_000 + 400 })) > bytes(text) - 400,
    "as much as fits is kept",
  );
});

test("serializeSummary() leaves the whole transcript out when not one line fits", () => {
  const summary: SessionSummary = { ...summaryOf(0), transcript: [{ role: "user", text: "x".repeat(10_000) }] };
  const stored = JSON.parse(serializeSummary(summary, { maxBytes: 2000 })) as StoredSummary;
  assert.deepEqual(stored.transcript, []);
  assert.equal(stored.transcriptOmitted, 1);
});

function app(store: ConversationStore, pending: Promise<unknown>[]) {
  return createApp({
    env: { LAYERCODE_WEBHOOK_SECRET: SECRET, LOG_LEVEL: "silent" },
    model: scriptedModel(),
    store,
    hooks: agent.hooks,
    waitUntil: (work) => pending.push(work),
  });
}

const sessionEnd = (conversation: string, lines: number) => ({
  type: "session.end",
  session_id: "s",
  conversation_id: conversation,
  transcript: transcript(lines),
});

test("a long call's session.end over MAX_BODY_BYTES is accepted and summarized; a message that large still gets 413", async () => {
  const pending: Promise<unknown>[] = [];
  const store = createMemoryStore();
  const agentApp = app(store, pending);
  const conversation = uid("conv");
  const end = sessionEnd(conversation, 4000); // about 400 KB
  assert.ok(bytes(JSON.stringify(end)) > 262_144);
  const response = await agentApp.fetch(await webhook(URL, end));
  assert.equal(response.status, 200, await response.clone().text());
  await Promise.all(pending);
  const stored = JSON.parse((await store.get(`summary:${conversation}`))!.value) as StoredSummary;
  assert.equal(stored.transcript.length, 4000, "under the template's 900 KB bound the transcript is whole");
  const big = messageBody(uid("conv"), "x".repeat(19_000), { pad: "session.end ".repeat(25_000) });
  const refused = await agentApp.fetch(await webhook(URL, big));
  assert.equal(refused.status, 413, "only session.end gets the larger limit, whatever the body says");
  await refused.body?.cancel();
});

const deno = (globalThis as { Deno?: { openKv(path?: string): Promise<DenoKvClient & { close(): void }> } }).Deno;
// Deno KV exists only in Deno: this case is registered by the deno test run alone (never skipped).
if (deno) {
  test("on Deno KV (64 KiB per value) a long call's summary is stored, its transcript shortened to fit", async () => {
    const kv = await deno!.openKv(":memory:");
    try {
      const store = createDenoKvStore({ kv });
      const pending: Promise<unknown>[] = [];
      const conversation = uid("conv");
      const response = await app(store, pending).fetch(await webhook(URL, sessionEnd(conversation, 1200)));
      assert.equal(response.status, 200);
      await Promise.all(pending);
      const value = (await store.get(`summary:${conversation}`))?.value;
      assert.ok(value, "the summary was stored");
      const stored = JSON.parse(value) as StoredSummary;
      assert.ok(stored.transcriptOmitted! > 0 && stored.transcript.length > 0);
    } finally {
      kv.close();
    }
  });
}
