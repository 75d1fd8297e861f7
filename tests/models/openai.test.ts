// The OpenAI-compatible provider (plain fetch + eventsource-parser) against a real HTTP server on loopback speaking
// Chat Completions SSE (tests/support/openai-server.ts), then the request it sends, checked on the wire.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createOpenAiModel } from "../../llm/openai.ts";
import { modelSuite } from "../support/model-suite.ts";
import { type OpenAiServer, startOpenAiServer } from "../support/openai-server.ts";

const KEY = "sk-test-openai-key-4c1d";

modelSuite({
  name: "openai",
  secrets: [KEY],
  expected: { provider: "openai", model: "gpt-4.1-mini" },
  async start() {
    const fake = await startOpenAiServer();
    return { fake, model: createOpenAiModel({ apiKey: KEY, baseUrl: fake.baseUrl }) };
  },
});

let server: OpenAiServer;
before(async () => (server = await startOpenAiServer()));
after(async () => await server?.close());

const input = (signal = new AbortController().signal) => ({
  system: "Be brief.",
  messages: [{ role: "user" as const, text: "Hi", turnId: "t1", at: 0 }],
  signal,
});

test("createOpenAiModel() posts a streaming Chat Completions request with usage, the key and the model", async () => {
  const model = createOpenAiModel({
    apiKey: KEY,
    baseUrl: `${server.baseUrl}/`,
    model: "llama-3.1-8b-instant",
    headers: { "x-title": "agent" },
  });
  const chunks = [];
  for await (const chunk of model.stream(input())) chunks.push(chunk);
  assert.deepEqual(chunks, ["You ", "said ", "Hi", { usage: { inputTokens: 5, outputTokens: 3 } }]);
  assert.equal(server.paths.at(-1), "/v1/chat/completions");
  assert.equal(server.requests.at(-1)!.apiKey, KEY);
  assert.deepEqual(server.bodies.at(-1), {
    model: "llama-3.1-8b-instant",
    messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }],
    stream: true,
    stream_options: { include_usage: true },
  });
});

test("createOpenAiModel() sends no Authorization header without a key (Ollama, vLLM)", async () => {
  const model = createOpenAiModel({ baseUrl: server.baseUrl });
  for await (const _ of model.stream(input())) { /* drain */ }
  assert.equal(server.requests.at(-1)!.apiKey, undefined);
});

test("createOpenAiModel() stops with an UpstreamError naming the status, not the upstream's message", async () => {
  server.respond = () => ({ errorStatus: 429 });
  const model = createOpenAiModel({ apiKey: KEY, baseUrl: server.baseUrl });
  await assert.rejects(
    async () => {
      for await (const _ of model.stream(input())) { /* drain */ }
    },
    (error: Error & { status?: number }) =>
      error.name === "UpstreamError" && error.status === 429 && !error.message.includes("scripted"),
  );
  server.respond = (request) => ({ deltas: [`echo ${request.turns.length}`] });
});

test("createOpenAiModel() stops at once when the turn is already aborted", async () => {
  const controller = new AbortController();
  controller.abort(new DOMException("gone", "AbortError"));
  const before = server.requests.length;
  const model = createOpenAiModel({ baseUrl: server.baseUrl });
  await assert.rejects(async () => {
    for await (const _ of model.stream(input(controller.signal))) { /* drain */ }
  }, { name: "AbortError" });
  assert.equal(server.requests.length, before, "no request was sent");
});
