import assert from "node:assert/strict";
import { test } from "node:test";
import { HttpError } from "../lib/errors.ts";
import { MAX_TEXT_LENGTH, parseEvent } from "../lib/events.ts";

const parse = (body: unknown) => parseEvent(typeof body === "string" ? body : JSON.stringify(body));

function rejects400(body: unknown, message: RegExp) {
  assert.throws(() => (body instanceof Uint8Array ? parseEvent(body) : parse(body)), (error: unknown) => {
    assert.ok(error instanceof HttpError);
    assert.equal(error.status, 400);
    assert.match(error.message, message);
    return true;
  });
}

test("parseEvent() parses a message with its interruption context and metadata", () => {
  const event = parse({
    type: "message",
    session_id: "s1",
    conversation_id: "c1",
    turn_id: "t2",
    text: "Hello",
    custom_metadata: { tenant: "acme" },
    from_phone_number: "+15550001",
    interruption_context: {
      previous_turn_interrupted: true,
      words_heard: 2,
      text_heard: "Sure, the",
      assistant_turn_id: "t1",
    },
  });
  assert.equal(event.type, "message");
  if (event.type !== "message") return;
  assert.equal(event.conversationId, "c1");
  assert.equal(event.sessionId, "s1");
  assert.equal(event.turnId, "t2");
  assert.equal(event.text, "Hello");
  assert.deepEqual(event.customMetadata, { tenant: "acme" });
  assert.equal(event.fromPhoneNumber, "+15550001");
  assert.deepEqual(event.interruption, {
    previousTurnInterrupted: true,
    wordsHeard: 2,
    textHeard: "Sure, the",
    assistantTurnId: "t1",
  });
});

test("parseEvent() maps legacy MESSAGE and SESSION_START, keyed by their session_id", () => {
  const message = parse({ type: "MESSAGE", session_id: "legacy1", connection_id: "conn", turn_id: "t", text: "hi" });
  assert.equal(message.type, "message");
  assert.equal(message.conversationId, "legacy1");
  assert.equal(message.sessionId, "conn");
  const start = parse({ type: "SESSION_START", session_id: "legacy1", turn_id: "t0" });
  assert.equal(start.type, "session.start");
  assert.equal(start.conversationId, "legacy1");
});

test("parseEvent() parses session.start, data, session.end and session.update", () => {
  assert.equal(parse({ type: "session.start", conversation_id: "c", turn_id: "t" }).type, "session.start");
  const data = parse({ type: "data", conversation_id: "c", turn_id: "t", data: { clicked: 1 } });
  assert.deepEqual(data.type === "data" && data.data, { clicked: 1 });
  const end = parse({
    type: "session.end",
    conversation_id: "c",
    duration: 1200,
    transcript: [
      { role: "user", text: "hi", timestamp: 1_700_000_000_000 },
      { role: "assistant", text: "hello", timestamp: "2023-11-14T22:13:21.000Z" },
      { role: "system", text: "dropped" },
    ],
  });
  assert.equal(end.type, "session.end");
  if (end.type === "session.end") {
    assert.equal(end.durationMs, 1200);
    assert.deepEqual(end.transcript.map((e) => e.timestamp), [1_700_000_000_000, 1_700_000_001_000]);
  }
  const update = parse({
    type: "session.update",
    conversation_id: "c",
    recording_status: "completed",
    recording_url: "https://r",
  });
  assert.equal(update.type === "session.update" && update.recordingUrl, "https://r");
});

test("parseEvent() keeps an unknown type as ignored rather than failing", () => {
  const event = parse({ type: "session.paused", conversation_id: "c" });
  assert.equal(event.type, "unknown");
  assert.equal(event.type === "unknown" && event.originalType, "session.paused");
});

test("parseEvent() rejects malformed bodies with 400 and a clear message", () => {
  rejects400("{not json", /not valid UTF-8 JSON/);
  rejects400('{"type":"message"', /not valid UTF-8 JSON/);
  rejects400(new Uint8Array([0x7b, 0xff, 0x7d]), /not valid UTF-8 JSON/);
  rejects400([1, 2], /JSON object/);
  rejects400("null", /JSON object/);
  rejects400({ conversation_id: "c" }, /string field type/);
  rejects400({ type: 7, conversation_id: "c" }, /string field type/);
  rejects400({ type: "message", conversation_id: "c", turn_id: "t" }, /non-empty string text/);
  rejects400({ type: "message", conversation_id: "c", turn_id: "t", text: "   " }, /non-empty string text/);
  rejects400({ type: "message", conversation_id: "c", turn_id: "t", text: 5 }, /non-empty string text/);
  rejects400(
    { type: "message", conversation_id: "c", turn_id: "t", text: "x".repeat(MAX_TEXT_LENGTH + 1) },
    /longer than/,
  );
  rejects400({ type: "message", turn_id: "t", text: "hi" }, /needs conversation_id/);
  rejects400({ type: "message", conversation_id: "c", text: "hi" }, /needs turn_id/);
  rejects400({ type: "message", conversation_id: ["c"], turn_id: "t", text: "hi" }, /conversation_id must be a string/);
  rejects400({ type: "MESSAGE", turn_id: "t", text: "hi" }, /needs session_id/);
  rejects400({ type: "data", conversation_id: "c", custom_metadata: "x" }, /custom_metadata must be an object/);
});

test("parseEvent() accepts JSON nested 32 levels deep and refuses 33 with 400, without recursion", () => {
  const nested = (levels: number): unknown => {
    let value: unknown = 1;
    for (let i = 0; i < levels; i++) value = [value];
    return value;
  };
  const body = (levels: number) =>
    JSON.stringify({ type: "data", conversation_id: "c1", data: "__DATA__" }).replace('"__DATA__"', JSON.stringify(nested(levels)));
  // The body is level 1, `data` level 2: 31 arrays reach level 32.
  assert.equal(parseEvent(body(31)).type, "data");
  assert.throws(() => parseEvent(body(32)), (error: unknown) => {
    assert.ok(error instanceof HttpError);
    assert.equal(error.status, 400);
    assert.match(error.message, /nested deeper than 32 levels/);
    return true;
  });
});
