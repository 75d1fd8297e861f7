// The stored document's serialization (lib/history-document.ts): a write extends the serialization it starts from
// instead of serializing the whole conversation again, and measures its size from the parts. The stored format and
// the bounds must stay exactly what one JSON.stringify and the byte-measuring loop gave: random turns through the
// real history on the memory store are checked against that reference, byte for byte.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { applyReply, applyUserMessage, bound, clone, type Document } from "../lib/history-document.ts";
import { createHistory } from "../lib/history.ts";
import type { Message } from "../lib/message.ts";
import { createMemoryStore } from "../storage/memory.ts";

const encoder = new TextEncoder();

/** The reference: how the history bounded and serialized a document before it kept serializations. */
function referenceBound(doc: { messages: Message[]; heard?: Record<string, string> }, maxMessages: number, maxBytes: number): string {
  if (doc.messages.length > maxMessages) doc.messages.splice(0, doc.messages.length - maxMessages);
  for (;;) {
    const value = JSON.stringify({ messages: doc.messages, heard: doc.heard });
    const size = value.length * 3 <= maxBytes ? value.length : encoder.encode(value).byteLength;
    if (size <= maxBytes) return value;
    if (doc.messages.length > 1) {
      doc.messages.shift();
    } else if (doc.messages.length === 1) {
      const only = doc.messages[0];
      const keep = Math.max(0, only.text.length - (size - maxBytes) - 16);
      doc.messages[0] = { ...only, text: only.text.slice(0, keep) };
      if (keep === 0) doc.messages = [];
    } else {
      doc.heard = undefined;
      return JSON.stringify({ messages: doc.messages, heard: doc.heard });
    }
  }
}

const text = fc.oneof(
  fc.string({ maxLength: 120 }),
  fc.string({ unit: "grapheme", maxLength: 60 }),
  fc.string({ unit: "binary", maxLength: 60 }), // lone surrogates included
  fc.constantFrom("", "a\"quoted\" \\ line\nbreak", "😀".repeat(40), "é".repeat(90)),
);

type Step =
  | { kind: "user"; turn: number; text: string; heard?: { text: string; turn?: number } }
  | { kind: "reply"; turn: number; text: string };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant("user" as const),
    turn: fc.nat(12),
    text,
    heard: fc.option(fc.record({ text, turn: fc.option(fc.nat(12), { nil: undefined }) }), { nil: undefined }),
  }),
  fc.record({ kind: fc.constant("reply" as const), turn: fc.nat(12), text }),
);

test("bound() serializes and bounds exactly as one JSON.stringify and the byte-measuring loop, whatever the turns", () => {
  fc.assert(
    fc.property(fc.array(step, { maxLength: 40 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 20, max: 900 }), (steps, maxMessages, maxBytes) => {
      let doc: Document = { messages: [] };
      for (const [i, s] of steps.entries()) {
        const next = clone(doc);
        const message: Message = { role: s.kind === "user" ? "user" : "assistant", text: s.text, turnId: `t${s.turn}`, at: i };
        if (s.kind === "user") {
          const interruption = s.heard && { previousTurnInterrupted: true, textHeard: s.heard.text, assistantTurnId: s.heard.turn === undefined ? undefined : `t${s.turn}` };
          if (!applyUserMessage(next, message, interruption)) continue;
        } else {
          applyReply(next, message);
        }
        const reference = { messages: next.messages.slice(), heard: next.heard && { ...next.heard } };
        const expected = referenceBound(reference, maxMessages, maxBytes);
        const value = bound(next, maxMessages, maxBytes);
        assert.equal(value, expected);
        assert.deepEqual(next.messages, reference.messages);
        assert.deepEqual(next.heard, reference.heard);
        assert.equal(next.serialized?.value, value);
        if (next.serialized!.bytes >= 0) assert.equal(next.serialized!.bytes, encoder.encode(value).byteLength);
        doc = next;
      }
    }),
    { numRuns: 400 },
  );
});

test("a conversation stored turn after turn is byte for byte what the reference serialization stores, cached or read afresh", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(text, text, fc.boolean()), { maxLength: 25 }), fc.boolean(), async (turns, afresh) => {
      const store = createMemoryStore();
      const options = { maxMessages: 7, maxBytes: 700 };
      // `afresh`: a new history per turn, as on a server of many instances (nothing cached in between).
      let history = createHistory(store, options);
      const reference: { messages: Message[]; heard?: Record<string, string> } = { messages: [] };
      for (const [i, [user, reply, interrupted]] of turns.entries()) {
        if (afresh) history = createHistory(store, options);
        const state = await history.read("c");
        const interruption = interrupted ? { previousTurnInterrupted: true, textHeard: reply.slice(0, 3) } : undefined;
        const userMessage: Message = { role: "user", text: user, turnId: `t${i}`, at: i };
        const { stored } = history.record(state, userMessage, interruption);
        const written = await stored;
        await history.finish(written, { role: "assistant", text: reply, turnId: `t${i}`, at: i + 0.5 });

        const next = { messages: reference.messages.slice(), heard: reference.heard && { ...reference.heard } };
        if (applyUserMessage(next as Document, userMessage, interruption)) referenceBound(next, options.maxMessages, options.maxBytes);
        applyReply(next as Document, { role: "assistant", text: reply, turnId: `t${i}`, at: i + 0.5 });
        const expected = referenceBound(next, options.maxMessages, options.maxBytes);
        reference.messages = next.messages;
        reference.heard = next.heard;
        assert.equal((await store.get("conv:c"))?.value, expected);
        assert.deepEqual(await history.load("c"), JSON.parse(expected).messages);
      }
    }),
    { numRuns: 150 },
  );
});
