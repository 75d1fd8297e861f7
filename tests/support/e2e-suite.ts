/**
 * The end-to-end cases, run against a real server process of one target: signed webhooks over HTTP, the model on a
 * local server speaking its wire format (the real `@google/generative-ai` SDK against Gemini's, or, with
 * `MODEL_PROVIDER=openai` in `extraEnv`, the OpenAI-compatible provider against Chat Completions SSE), and a local
 * server that plays the Layercode API. A failure names the target and the provider.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { readFrames, type ResponseFrame } from "../../client/mod.ts";
import { type GeminiServer, geminiFake, startGeminiServer } from "./gemini-server.ts";
import { type ModelFake, words } from "./model-fake.ts";
import { type OpenAiServer, startOpenAiServer } from "./openai-server.ts";
import { type LayercodeApi, startLayercodeApi } from "./layercode-api.ts";
import { type ServerProcess, type ServerTarget, startServer } from "./server-process.ts";
import { frames, messageBody as message, readUntilFirstFrame, SECRET, spoken, uid, webhook } from "./webhooks.ts";

const GEMINI_KEY = "test-gemini-key";
const OPENAI_KEY = "sk-test-openai-key";
const LAYERCODE_KEY = "test-layercode-key";

/** Registers the end-to-end cases for one target (with `MODEL_PROVIDER: "openai"` in `extraEnv`: that provider). */
export function e2eSuite(target: ServerTarget, extraEnv: Record<string, string> = {}): void {
  const openai = extraEnv.MODEL_PROVIDER === "openai";
  const name = (what: string) => `[${target.name}${openai ? "/openai" : ""}] ${what}`;
  let gemini: GeminiServer | undefined;
  let chat: OpenAiServer | undefined;
  let model: ModelFake;
  let layercode: LayercodeApi;
  let server: ServerProcess;

  let serverEnv: Record<string, string>;
  before(async () => {
    if (openai) model = chat = await startOpenAiServer();
    else model = geminiFake(gemini = await startGeminiServer());
    layercode = await startLayercodeApi();
    serverEnv = {
      ...target.env?.(),
      LAYERCODE_WEBHOOK_SECRET: SECRET,
      GOOGLE_GENERATIVE_AI_API_KEY: GEMINI_KEY,
      ...(gemini ? { GEMINI_BASE_URL: gemini.baseUrl } : {}),
      ...(chat ? { OPENAI_API_KEY: OPENAI_KEY, OPENAI_BASE_URL: chat.baseUrl } : {}),
      LAYERCODE_API_KEY: LAYERCODE_KEY,
      LAYERCODE_API_URL: layercode.url,
      WELCOME_MESSAGE: "Welcome to the test.",
      MODEL_TIMEOUT_MS: "3000",
      ...extraEnv,
    };
    server = await startServer(target, serverEnv);
  });
  after(async () => {
    await server?.stop();
    await model?.close();
    await layercode?.close();
  });

  const agent = () => `${server.url}/agent`;

  test(name("streams the model's deltas in order as response.tts frames, the first while the model is still sending"), async () => {
    const deltas = ["The ", "quick ", "brown ", "fox."];
    let lastSent!: () => void;
    const allSent = new Promise<void>((resolve) => (lastSent = resolve));
    let firstFrameBeforeEnd = false;
    model.respond = () => ({ deltas, delayMs: 150 });
    const body = message(uid("conv"), "Say something");
    const response = await fetch(await webhook(agent(), body));
    assert.equal(response.status, 200);
    const received: ResponseFrame[] = [];
    let sentAll = false;
    allSent.then(() => (sentAll = true));
    const watcher = (async () => {
      const request = await waitFor(() => model.requests.at(-1));
      await request.closed;
      lastSent();
    })();
    for await (const frame of readFrames(response.body!)) {
      if (received.length === 0) firstFrameBeforeEnd = !sentAll;
      received.push(frame);
    }
    await watcher;
    assert.ok(firstFrameBeforeEnd, "the first frame arrived before the model finished");
    assert.deepEqual(received, [
      ...deltas.map((content) => ({ type: "response.tts", content, turn_id: body.turn_id })),
      { type: "response.end", turn_id: body.turn_id },
    ]);
    const request = model.requests.at(-1)!;
    assert.equal(request.apiKey, openai ? OPENAI_KEY : GEMINI_KEY);
    if (gemini) {
      assert.match(gemini.requests.at(-1)!.url, /\/v1beta\/models\/gemini-2\.5-flash-lite:streamGenerateContent\?alt=sse/);
    }
    if (chat) {
      assert.equal(chat.paths.at(-1), "/v1/chat/completions");
      assert.equal(chat.bodies.at(-1)!.model, "gpt-4.1-mini");
    }
    assert.match(request.system, /voice/);
  });

  test(name("sends the response headers at once, before the model's first delta"), async () => {
    model.respond = () => ({ deltas: ["Slow ", "reply."], delayMs: 1500 });
    const sent = model.requests.length;
    const response = await fetch(await webhook(agent(), message(uid("conv"), "Take your time")));
    const deltasBeforeHeaders = model.requests[sent]?.deltasSent ?? 0;
    assert.equal(response.status, 200);
    assert.equal(deltasBeforeHeaders, 0, "the headers waited for the model's first delta");
    const all = await frames(response);
    assert.equal(spoken(all), "Slow reply.");
    assert.equal(all.at(-1)?.type, "response.end");
  });

  test(name(`keeps the conversation's history in its ${target.store} store and sends it on the next turn`), async () => {
    const health = await (await fetch(`${server.url}/health`)).json();
    assert.equal(health.store, target.store, "the platform entry picks its natural store by itself");
    assert.equal(health.model, openai ? "openai/gpt-4.1-mini" : "gemini/gemini-2.5-flash-lite", "/health names the model");
    model.respond = (request) => ({ deltas: words(`Reply ${request.turns.length}`) });
    const conversation = uid("conv");
    await frames(await fetch(await webhook(agent(), message(conversation, "My name is Ada."))));
    await frames(await fetch(await webhook(agent(), message(conversation, "What is my name?"))));
    assert.deepEqual(model.requests.at(-1)!.turns, [
      ["user", "My name is Ada."],
      ["assistant", "Reply 1"],
      ["user", "What is my name?"],
    ]);
  });

  if (target.durable) {
    test(name(`continues a conversation after the server restarts, from its ${target.store} store`), async () => {
      model.respond = (request) => ({ deltas: words(`Reply ${request.turns.length}`) });
      const conversation = uid("conv");
      await frames(await fetch(await webhook(agent(), message(conversation, "Remember the word apple."))));
      await new Promise((resolve) => setTimeout(resolve, 200)); // the reply is stored right after response.end
      await server.stop();
      server = await startServer(target, serverEnv);
      await frames(await fetch(await webhook(agent(), message(conversation, "Which word?"))));
      assert.deepEqual(model.requests.at(-1)!.turns, [
        ["user", "Remember the word apple."],
        ["assistant", "Reply 1"],
        ["user", "Which word?"],
      ]);
    });
  }

  test(name("an upstream error still ends the turn with an apology and response.end"), async () => {
    model.respond = () => ({ errorStatus: 503 });
    const all = await frames(await fetch(await webhook(agent(), message(uid("conv"), "Hello?"))));
    assert.equal(all.at(-1)?.type, "response.end");
    assert.match(spoken(all), /Sorry/);
  });

  test(name("a stream cut mid-way still ends with response.end"), async () => {
    model.respond = () => ({ deltas: ["One ", "two ", "three"], cutAfter: 1 });
    const all = await frames(await fetch(await webhook(agent(), message(uid("conv"), "Count"))));
    assert.equal(all[0].type === "response.tts" && all[0].content, "One ");
    assert.equal(all.at(-1)?.type, "response.end");
  });

  test(name("a client that aborts after the first frame closes the upstream model request within 2 s, and history keeps the partial reply"), async () => {
    const reply = words("a b c d e f g h i j k l m n o p");
    model.respond = () => ({ deltas: reply, delayMs: 250 }); // 4 s in all: the abort comes long before the end
    const conversation = uid("conv");
    const controller = new AbortController();
    const body = message(conversation, "Talk");
    const response = await fetch(await webhook(agent(), body, { signal: controller.signal }));
    const reader = response.body!.getReader();
    await readUntilFirstFrame(reader);
    const request = model.requests.at(-1)!;
    controller.abort();
    await reader.cancel().catch(() => {});
    assert.equal(await withTimeout(request.closed, 2000), true, "the upstream request closed before its end");
    // The turn's log line is written once its history is stored.
    const turnLog = (line: string) => line.includes(body.turn_id) && line.includes(`"message":"turn"`);
    assert.match(await waitFor(() => server.output().split("\n").find(turnLog)), /"interrupted":true/);
    model.respond = () => ({ deltas: ["Ok."] });
    await frames(await fetch(await webhook(agent(), message(conversation, "Go on"))));
    const turns = model.requests.at(-1)!.turns;
    assert.deepEqual(turns.map(([role]) => role), ["user", "assistant", "user"]);
    const partial = turns[1][1];
    assert.ok(partial.length > 0 && reply.join("").startsWith(partial), `a prefix of the reply was kept: "${partial}"`);
    assert.ok(partial.length < reply.join("").length - 8, `only the part generated before the abort was kept: "${partial}"`);
  });

  test(name("a bad signature gets 401 and never reaches the model"), async () => {
    const before = model.requests.length;
    const response = await fetch(await webhook(agent(), message(uid("conv"), "Hi"), { secret: "wrong" }));
    assert.equal(response.status, 401);
    assert.equal(typeof (await response.json()).error, "string");
    const unsigned = await fetch(agent(), { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    assert.equal(unsigned.status, 401);
    await unsigned.body?.cancel();
    assert.equal(model.requests.length, before);
  });

  test(name("answers session.start, data, session.end, session.update and unknown events"), async () => {
    const conversation = uid("conv");
    const ids = { session_id: "s", conversation_id: conversation };
    const start = await frames(await fetch(await webhook(agent(), { type: "session.start", ...ids, turn_id: "t0" })));
    assert.deepEqual(start, [
      { type: "response.tts", content: "Welcome to the test.", turn_id: "t0" },
      { type: "response.end", turn_id: "t0" },
    ]);
    for (const [body, expected] of [
      [{ type: "data", ...ids, turn_id: "t1", data: { a: 1 } }, { received: true }],
      [{ type: "session.end", ...ids, transcript: [] }, { received: true }],
      [{ type: "session.update", ...ids, recording_status: "completed", recording_url: "https://r" }, { received: true }],
      [{ type: "something.new", ...ids }, { ignored: true, type: "something.new" }],
    ] as const) {
      const response = await fetch(await webhook(agent(), body));
      assert.equal(response.status, 200, body.type);
      assert.deepEqual(await response.json(), expected);
    }
  });

  test(name("/authorize proxies to the Layercode API with the key, and /health tells no secret"), async () => {
    const JSON_TYPE = { "content-type": "application/json" };
    layercode.answer = { status: 200, body: { client_session_key: "csk_1", conversation_id: "conv_1" } };
    const ok = await fetch(`${server.url}/authorize`, { method: "POST", headers: JSON_TYPE, body: JSON.stringify({ agent_id: "ag_1" }) });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { client_session_key: "csk_1", conversation_id: "conv_1" });
    assert.equal(layercode.requests.at(-1)!.authorization, `Bearer ${LAYERCODE_KEY}`);
    layercode.answer = { status: 402, body: { error: "insufficient balance" } };
    const refused = await fetch(`${server.url}/authorize`, { method: "POST", headers: JSON_TYPE, body: JSON.stringify({ agent_id: "ag_1" }) });
    assert.equal(refused.status, 402);
    assert.deepEqual(await refused.json(), { error: "insufficient balance" });
    const health = await fetch(`${server.url}/health`);
    const text = await health.text();
    assert.equal(health.status, 200);
    assert.equal(JSON.parse(text).mode, "production");
    for (const secret of [SECRET, GEMINI_KEY, OPENAI_KEY, LAYERCODE_KEY]) {
      assert.ok(!text.includes(secret));
      assert.ok(!server.output().includes(secret), `the server's logs never contain ${secret}`);
    }
  });
}

async function waitFor<T>(get: () => T | undefined, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms))),
  ]);
}
