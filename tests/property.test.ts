// Property-based: random bodies and headers thrown at the in-process handler. Whatever arrives, the answer is a 4xx,
// a well-formed SSE turn ending in one response.end, or 2xx JSON; never a 5xx, never a model call without a valid
// signature, never an error logged. Sequences of requests share a few conversations so that turns interact.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { createApp } from "../app/create-app.ts";
import { signWebhook } from "../lib/signature.ts";
import { readFrames, type ResponseFrame } from "../client/mod.ts";
import { createMemoryStore } from "../storage/memory.ts";
import { scriptedModel } from "./support/scripted-model.ts";
import { guardUnhandledRejections } from "./support/unhandled.ts";
import { SECRET } from "./support/webhooks.ts";

const guard = guardUnhandledRejections();
const RUNS = 300;

type SignatureMode = "valid" | "wrong-secret" | "stale" | "future" | "missing" | "other-body" | "garbage";

interface Case {
  method: string;
  path: string;
  body: Uint8Array;
  signature: SignatureMode;
  garbage: string;
  contentType: string | undefined;
  headers: Record<string, string>;
}

const ids = (prefix: string) =>
  fc.oneof(
    fc.constantFrom(`${prefix}_1`, `${prefix}_2`, "toString", "__proto__", "constructor", ""),
    fc.string({ maxLength: 300 }),
    fc.jsonValue(),
  );

const anyValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.string({ maxLength: 50 }), fc.constant(undefined));

/** Any shape at all in the fields of Layercode's events. */
const randomEvent = fc.record({
  type: fc.oneof(
    fc.constantFrom("message", "session.start", "data", "session.end", "session.update", "MESSAGE", "SESSION_START"),
    fc.string({ maxLength: 20 }),
    fc.jsonValue({ maxDepth: 1 }),
  ),
  session_id: fc.oneof(ids("sess"), fc.constant(undefined)),
  conversation_id: fc.oneof(fc.constantFrom("conv_a", "conv_b"), ids("conv"), fc.constant(undefined)),
  turn_id: fc.oneof(ids("turn"), fc.constant(undefined)),
  text: fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: "grapheme", maxLength: 50 }), anyValue),
  interruption_context: anyValue,
  custom_metadata: anyValue,
  data: anyValue,
  transcript: anyValue,
}, { requiredKeys: [] });

/** Events as Layercode sends them, on a few shared conversations, with interruptions and odd turn ids. */
const wellFormedEvent = fc.record({
  type: fc.constantFrom(
    "message",
    "message",
    "message",
    "session.start",
    "data",
    "session.end",
    "session.update",
    "MESSAGE",
  ),
  session_id: fc.constantFrom("sess_1", "sess_2"),
  conversation_id: fc.constantFrom("conv_a", "conv_b", "conv_c"),
  turn_id: fc.oneof(
    fc.constantFrom("turn_1", "turn_2", "turn_3", "toString", "__proto__"),
    fc.string({ minLength: 1, maxLength: 30 }),
  ),
  text: fc.string({ minLength: 1, maxLength: 120 }).filter((text) => text.trim().length > 0),
  interruption_context: fc.option(
    fc.record({
      previous_turn_interrupted: fc.boolean(),
      words_heard: fc.nat(50),
      text_heard: fc.string({ maxLength: 40 }),
      assistant_turn_id: fc.option(fc.constantFrom("turn_1", "turn_2", "turn_lost", "constructor"), { nil: undefined }),
    }),
    { nil: undefined },
  ),
  custom_metadata: fc.option(fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 1 })), {
    nil: undefined,
  }),
  data: fc.jsonValue({ maxDepth: 2 }),
  transcript: fc.array(
    fc.record({ role: fc.constantFrom("user", "assistant"), text: fc.string(), timestamp: fc.nat() }),
    { maxLength: 3 },
  ),
});

/** A well-formed event with one field replaced by anything. */
const perturbedEvent = fc.tuple(
  wellFormedEvent,
  fc.constantFrom(
    "type",
    "session_id",
    "conversation_id",
    "turn_id",
    "text",
    "interruption_context",
    "custom_metadata",
  ),
  anyValue,
).map(([event, field, value]) => ({ ...event, [field]: value }));

const eventBody = fc.oneof(
  { weight: 4, arbitrary: wellFormedEvent },
  { weight: 2, arbitrary: perturbedEvent },
  { weight: 2, arbitrary: randomEvent },
);

const encoder = new TextEncoder();

/** Any bytes a client could send: event-like JSON, any JSON, text, raw bytes, each possibly truncated or flipped. */
const bodyBytes = fc.tuple(
  fc.oneof(
    { weight: 5, arbitrary: eventBody.map((b) => encoder.encode(JSON.stringify(b))) },
    { weight: 1, arbitrary: fc.jsonValue().map((v) => encoder.encode(JSON.stringify(v) ?? "")) },
    { weight: 1, arbitrary: fc.string({ maxLength: 100 }).map((s) => encoder.encode(s)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
  ),
  fc.oneof(
    { weight: 6, arbitrary: fc.constant("keep" as const) },
    fc.constantFrom("truncate" as const, "flip" as const),
  ),
  fc.nat(),
).map(([bytes, mutation, at]) => {
  if (mutation === "keep" || bytes.length === 0) return bytes;
  if (mutation === "truncate") return bytes.slice(0, at % bytes.length);
  const flipped = bytes.slice();
  flipped[at % bytes.length] ^= 1 << (at % 8);
  return flipped;
});

const headerName = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/).filter((n) =>
  !["content-type", "layercode-signature", "content-length", "host", "transfer-encoding"].includes(n)
);
const headerValue = fc.stringMatching(/^[\x21-\x7e]{0,40}$/);

const requestCase: fc.Arbitrary<Case> = fc.record({
  method: fc.oneof(
    { weight: 9, arbitrary: fc.constant("POST") },
    fc.constantFrom("GET", "PUT", "DELETE", "OPTIONS", "PATCH"),
  ),
  path: fc.oneof({ weight: 9, arbitrary: fc.constant("/agent") }, fc.constantFrom("/health", "/agent/", "/x", "/")),
  body: bodyBytes,
  signature: fc.oneof(
    { weight: 6, arbitrary: fc.constant("valid" as const) },
    fc.constantFrom(
      "wrong-secret" as const,
      "stale" as const,
      "future" as const,
      "missing" as const,
      "other-body" as const,
      "garbage" as const,
    ),
  ),
  garbage: headerValue,
  contentType: fc.oneof(
    { weight: 6, arbitrary: fc.constant("application/json") },
    fc.constantFrom("application/json; charset=utf-8", undefined, "text/plain", "application/jsonx"),
  ),
  headers: fc.dictionary(headerName, headerValue, { maxKeys: 3 }),
});

async function signatureFor(c: Case): Promise<string | undefined> {
  const now = Math.floor(Date.now() / 1000);
  switch (c.signature) {
    case "valid":
      return signWebhook(c.body, SECRET, now);
    case "wrong-secret":
      return signWebhook(c.body, "not_the_secret", now);
    case "stale":
      return signWebhook(c.body, SECRET, now - 400);
    case "future":
      return signWebhook(c.body, SECRET, now + 400);
    case "other-body":
      return signWebhook(new Uint8Array([...c.body, 0x20]), SECRET, now);
    case "garbage":
      return c.garbage;
    case "missing":
      return undefined;
  }
}

function request(c: Case, signature: string | undefined): Request {
  const headers = new Headers(c.headers);
  if (c.contentType !== undefined) headers.set("content-type", c.contentType);
  if (signature !== undefined) headers.set("layercode-signature", signature);
  const hasBody = c.method !== "GET";
  return new Request(`http://agent.test${c.path}`, {
    method: c.method,
    headers,
    body: hasBody ? c.body.slice() : undefined,
  });
}

/** Checks one answer: a refusal, JSON, or a whole SSE turn. */
async function checkAnswer(response: Response, c: Case): Promise<void> {
  const body = new TextDecoder().decode(c.body).slice(0, 300);
  const label = `${c.method} ${c.path} (${c.signature}) ${body} → ${response.status}`;
  assert.ok(response.status < 500, `${label}: ${await response.clone().text()}`);
  const type = response.headers.get("content-type") ?? "";
  if (response.status >= 400 || !type.startsWith("text/event-stream")) {
    const text = await response.text();
    if (type.startsWith("application/json")) JSON.parse(text);
    return;
  }
  assert.equal(response.status, 200, label);
  const all: ResponseFrame[] = [];
  for await (const frame of readFrames(response.body!)) all.push(frame);
  assert.ok(all.length > 0, `${label}: an empty stream`);
  assert.equal(all.at(-1)?.type, "response.end", `${label}: the turn ends with response.end`);
  assert.equal(all.filter((f) => f.type === "response.end").length, 1, `${label}: one response.end`);
  const turnId = all[0].turn_id;
  assert.equal(typeof turnId, "string");
  assert.ok(all.every((f) => f.turn_id === turnId), `${label}: one turn_id`);
}

test("fast-check: random bodies and headers never get a 5xx, a broken stream, or the model without a valid signature", async () => {
  let requests = 0;
  let turns = 0;
  let runs = 0;
  let modelCalls = 0;
  await fc.assert(
    // Each run gets its own app and store, so that a counterexample shrinks to requests that fail on their own.
    fc.asyncProperty(fc.array(requestCase, { minLength: 1, maxLength: 4 }), async (cases) => {
      runs++;
      const model = scriptedModel();
      const errors: string[] = [];
      const quiet = () => {};
      const app = createApp({
        env: { LAYERCODE_WEBHOOK_SECRET: SECRET, WELCOME_MESSAGE: "Hi." },
        model,
        store: createMemoryStore(),
        logger: {
          debug: quiet,
          info: quiet,
          warn: quiet,
          error: (message, fields) => errors.push(`${message} ${JSON.stringify(fields)}`),
        },
        waitUntil: guard.waitUntil,
      });
      for (const c of cases) {
        requests++;
        const calls = model.calls.length;
        const response = await app.fetch(request(c, await signatureFor(c)));
        if ((response.headers.get("content-type") ?? "").startsWith("text/event-stream")) turns++;
        await checkAnswer(response, c);
        await guard.settled();
        if (model.calls.length > calls) {
          modelCalls++;
          assert.equal(c.signature, "valid", "the model ran without a valid signature");
          assert.ok(c.method === "POST" && c.path === "/agent");
        }
        assert.deepEqual(
          errors,
          [],
          `nothing was logged as an error (${new TextDecoder().decode(c.body).slice(0, 300)})`,
        );
      }
    }),
    { numRuns: RUNS },
  );
  console.log(`fast-check: ${runs} cases, ${requests} requests, ${turns} SSE turns, ${modelCalls} model calls`);
  assert.ok(modelCalls > 0, "the generator reaches the model too");
});
