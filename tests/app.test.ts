import assert from "node:assert/strict";
import { test } from "node:test";
import { createApp } from "../app/create-app.ts";
import type { CreateAppOptions } from "../lib/types.ts";
import { DEVELOPMENT_WEBHOOK_SECRET } from "../lib/config.ts";
import { createHistory } from "../lib/history.ts";
import type { Logger } from "../lib/log.ts";
import { createMemoryStore } from "../storage/memory.ts";
import type { ConversationStore } from "../storage/types.ts";
import { startLayercodeApi } from "./support/layercode-api.ts";
import { scriptedModel } from "./support/scripted-model.ts";
import { frames, messageBody as message, readUntilFirstFrame, SECRET, spoken, uid, webhook } from "./support/webhooks.ts";

const URL = "http://agent.test/agent";
/** Development mode answers loopback hosts only. */
const LOCAL_URL = "http://localhost:8787/agent";
const JSON_TYPE = { "content-type": "application/json" };

/** A store that counts writes and can be made to fail. */
function countingStore() {
  const inner = createMemoryStore();
  const store: ConversationStore & { writes: number; reads: number; down: boolean } = {
    name: "counting",
    atomic: true,
    writes: 0,
    reads: 0,
    down: false,
    get(key) {
      store.reads++;
      return store.down ? Promise.reject(new Error("store down")) : inner.get(key);
    },
    set(key, value, options) {
      store.writes++;
      return store.down ? Promise.reject(new Error("store down")) : inner.set(key, value, options);
    },
    delete: (key) => inner.delete(key),
  };
  return store;
}

function captureLogs() {
  const lines: string[] = [];
  const write = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    lines.push(JSON.stringify({ level, message, ...fields }));
  const logger: Logger = { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
  return { logger, lines };
}

/** What `console.error` printed while `run` ran (configuration errors are logged there, before any logger exists). */
async function consoleErrors(run: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => lines.push(args.map(String).join(" "));
  try {
    await run();
  } finally {
    console.error = original;
  }
  return lines;
}

function setup(options: CreateAppOptions = {}) {
  const model = scriptedModel();
  const store = countingStore();
  const pending: Promise<unknown>[] = [];
  const logs = captureLogs();
  const app = createApp({
    env: { LAYERCODE_WEBHOOK_SECRET: SECRET, WELCOME_MESSAGE: "Welcome!" },
    model,
    store,
    logger: logs.logger,
    waitUntil: (work) => pending.push(work),
    ...options,
  });
  const history = createHistory(store);
  const settled = async () => {
    while (pending.length) await pending.shift();
  };
  return { app, model, store, history, settled, logs };
}


test("POST /agent streams each model delta as a response.tts frame, then response.end", async () => {
  const { app, model } = setup();
  model.script = async function* () {
    yield "Hello";
    yield " there,";
    yield " friend.";
  };
  const body = message(uid("conv"), "Hi");
  const response = await app.fetch(await webhook(URL, body));
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type")!, /^text\/event-stream/);
  assert.equal(response.headers.get("cache-control"), "no-cache, no-transform");
  assert.deepEqual(await frames(response), [
    { type: "response.tts", content: "Hello", turn_id: body.turn_id },
    { type: "response.tts", content: " there,", turn_id: body.turn_id },
    { type: "response.tts", content: " friend.", turn_id: body.turn_id },
    { type: "response.end", turn_id: body.turn_id },
  ]);
});

test("POST /agent sends the conversation's history to the model on the next turn", async () => {
  const { app, model, settled } = setup({ config: { systemPrompt: "Be brief." } });
  const conversation = uid("conv");
  await frames(await app.fetch(await webhook(URL, message(conversation, "My name is Ada."))));
  await settled();
  await frames(await app.fetch(await webhook(URL, message(conversation, "What is my name?"))));
  const second = model.calls[1];
  assert.equal(second.system, "Be brief.");
  assert.deepEqual(second.messages.map((m) => [m.role, m.text]), [
    ["user", "My name is Ada."],
    ["assistant", "Echo: My name is Ada."],
    ["user", "What is my name?"],
  ]);
});

test("POST /agent sends response.data frames for data chunks of the model", async () => {
  const { app, model } = setup();
  model.script = async function* () {
    yield { data: { isThinking: true } };
    yield "Done.";
  };
  const body = message(uid("conv"), "Hi");
  const all = await frames(await app.fetch(await webhook(URL, body)));
  assert.deepEqual(all.map((f) => f.type), ["response.data", "response.tts", "response.end"]);
  assert.deepEqual(all[0].type === "response.data" && all[0].content, { isThinking: true });
});

test("a bad signature gets 401 JSON, and neither the model nor the store is touched", async () => {
  const { app, model, store } = setup();
  const cases = [
    await webhook(URL, message(uid("conv"), "Hi"), { secret: "wrong" }),
    await webhook(URL, message(uid("conv"), "Hi"), { timestamp: Math.floor(Date.now() / 1000) - 301 }),
    new Request(URL, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" }),
  ];
  const tampered = await webhook(URL, message(uid("conv"), "Hi"));
  cases.push(new Request(tampered, { body: (await tampered.text()).replace("Hi", "Ho") }));
  for (const request of cases) {
    const response = await app.fetch(request);
    assert.equal(response.status, 401);
    assert.equal(typeof (await response.json()).error, "string");
  }
  assert.equal(model.calls.length, 0);
  assert.equal(store.reads + store.writes, 0);
});

test("without LAYERCODE_WEBHOOK_SECRET a production app refuses every webhook, the development secret included", async () => {
  const { app, model } = setup({ env: {} });
  for (const secret of [SECRET, DEVELOPMENT_WEBHOOK_SECRET]) {
    const response = await app.fetch(await webhook(URL, message(uid("conv"), "Hi"), { secret }));
    assert.equal(response.status, 401);
  }
  assert.equal(model.calls.length, 0);
});

test("development mode accepts the development secret and answers with the offline agent", async () => {
  const app = createApp({ env: {}, development: true, logger: captureLogs().logger });
  const response = await app.fetch(await webhook(LOCAL_URL, message(uid("conv"), "Testing one two"), { secret: DEVELOPMENT_WEBHOOK_SECRET }));
  assert.equal(response.status, 200);
  const all = await frames(response);
  assert.match(spoken(all), /You said: Testing one two/);
  assert.equal(all.at(-1)?.type, "response.end");
  const health = await (await app.fetch(new Request("http://localhost:8787/health"))).json();
  assert.equal(health.mode, "development");
  assert.equal(health.model, "offline/offline-echo");
  assert.equal(health.webhookSecret, "development", "the public development secret is not reported as set");
});

test("session.start speaks the welcome and stores it; an empty welcome only ends the turn", async () => {
  const { app, history, settled } = setup();
  const conversation = uid("conv");
  const start = { type: "session.start", session_id: "s", conversation_id: conversation, turn_id: "t0" };
  assert.deepEqual(await frames(await app.fetch(await webhook(URL, start))), [
    { type: "response.tts", content: "Welcome!", turn_id: "t0" },
    { type: "response.end", turn_id: "t0" },
  ]);
  await settled();
  assert.deepEqual((await history.load(conversation)).map((m) => [m.role, m.text]), [["assistant", "Welcome!"]]);

  const silent = setup({ env: { LAYERCODE_WEBHOOK_SECRET: SECRET, WELCOME_MESSAGE: "" } });
  assert.deepEqual(await frames(await silent.app.fetch(await webhook(URL, start))), [
    { type: "response.end", turn_id: "t0" },
  ]);
});

test("the welcome hook and the legacy SESSION_START and MESSAGE events work", async () => {
  const { app, model, settled } = setup({ hooks: { welcome: (event) => `Hello ${event.conversationId}` } });
  const legacyStart = { type: "SESSION_START", session_id: "legacy_conv", connection_id: "c1", turn_id: "t0" };
  assert.equal(spoken(await frames(await app.fetch(await webhook(URL, legacyStart)))), "Hello legacy_conv");
  await settled();
  const legacyMessage = { type: "MESSAGE", session_id: "legacy_conv", connection_id: "c1", turn_id: "t1", text: "Hi" };
  assert.equal(spoken(await frames(await app.fetch(await webhook(URL, legacyMessage)))), "Echo: Hi");
  assert.deepEqual(model.calls[0].messages.map((m) => m.role), ["assistant", "user"]);
});

test("data answers plain JSON through the onData hook, acknowledging by default", async () => {
  const body = { type: "data", session_id: "s", conversation_id: uid("conv"), turn_id: "t", data: { n: 2 } };
  const plain = setup();
  const ack = await plain.app.fetch(await webhook(URL, body));
  assert.equal(ack.status, 200);
  assert.deepEqual(await ack.json(), { received: true });
  const hooked = setup({ hooks: { onData: (event) => ({ doubled: (event.data as { n: number }).n * 2 }) } });
  assert.deepEqual(await (await hooked.app.fetch(await webhook(URL, body))).json(), { doubled: 4 });
});

test("session.end answers at once, runs its hook afterwards, and keeps the conversation unless configured", async () => {
  for (const deleteOnSessionEnd of [false, true]) {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const seen: string[] = [];
    const { app, history, settled } = setup({
      config: { deleteOnSessionEnd },
      hooks: {
        onSessionEnd: async (event) => {
          await gate;
          seen.push(`${event.conversationId}:${event.transcript.length}`);
        },
      },
    });
    const conversation = uid("conv");
    await frames(await app.fetch(await webhook(URL, message(conversation, "Hi"))));
    await settled();
    const end = {
      type: "session.end",
      session_id: "s",
      conversation_id: conversation,
      transcript: [{ role: "user", text: "Hi", timestamp: 1 }],
    };
    const response = await app.fetch(await webhook(URL, end));
    assert.equal(response.status, 200);
    assert.deepEqual(seen, [], "the hook runs after the answer");
    release();
    await settled();
    assert.deepEqual(seen, [`${conversation}:1`]);
    assert.equal((await history.load(conversation)).length, deleteOnSessionEnd ? 0 : 2);
  }
});

test("session.update hands the recording to its hook; unknown types are acknowledged as ignored", async () => {
  const urls: (string | undefined)[] = [];
  const { app, settled } = setup({ hooks: { onSessionUpdate: (event) => void urls.push(event.recordingUrl) } });
  const update = { type: "session.update", conversation_id: "c", recording_status: "completed", recording_url: "https://rec/1" };
  assert.equal((await app.fetch(await webhook(URL, update))).status, 200);
  await settled();
  assert.deepEqual(urls, ["https://rec/1"]);
  const unknown = await app.fetch(await webhook(URL, { type: "session.paused", conversation_id: "c" }));
  assert.equal(unknown.status, 200);
  assert.deepEqual(await unknown.json(), { ignored: true, type: "session.paused" });
});

test("signed but malformed webhooks get 400 with a clear message and never reach the model", async () => {
  const { app, model } = setup();
  const cases: [string | Record<string, unknown>, RegExp][] = [
    ["{oops", /not valid UTF-8 JSON/],
    [{ conversation_id: "c", text: "x" }, /type/],
    [{ type: "message", conversation_id: "c", turn_id: "t" }, /text/],
  ];
  for (const [body, error] of cases) {
    const response = await app.fetch(await webhook(URL, body));
    assert.equal(response.status, 400);
    assert.match((await response.json()).error, error);
  }
  assert.equal(model.calls.length, 0);
});

test("oversized bodies get 413, other content types 415, other methods 405 and unknown paths 404", async () => {
  const { app, model } = setup({ env: { LAYERCODE_WEBHOOK_SECRET: SECRET, MAX_BODY_BYTES: "2048" } });
  const big = await app.fetch(await webhook(URL, message(uid("conv"), "x".repeat(3000))));
  assert.equal(big.status, 413);
  const text = await app.fetch(await webhook(URL, message(uid("conv"), "Hi"), { headers: { "content-type": "text/plain" } }));
  assert.equal(text.status, 415);
  assert.equal((await app.fetch(new Request(URL))).status, 405);
  assert.equal((await app.fetch(new Request("http://agent.test/nope"))).status, 404);
  assert.equal(model.calls.length, 0);
});

test("a model error still ends the turn: the apology is spoken, then response.end", async () => {
  const { app, model, history, settled } = setup({ config: { apologyMessage: "Oops, say again?" } });
  model.script = async function* () {
    yield "Partial";
    throw new Error("upstream 503");
  };
  const conversation = uid("conv");
  const body = message(conversation, "Hi");
  const all = await frames(await app.fetch(await webhook(URL, body)));
  assert.deepEqual(all.map((f) => f.type), ["response.tts", "response.tts", "response.end"]);
  assert.equal(spoken(all), "PartialOops, say again?");
  await settled();
  assert.deepEqual((await history.load(conversation)).map((m) => [m.role, m.text]), [["user", "Hi"], ["assistant", "Partial"]]);
});

test("a model that never answers is aborted after the timeout, with the apology and response.end", async () => {
  const { app, model } = setup({ config: { modelTimeoutMs: 50 } });
  let aborted = false;
  model.script = async function* ({ signal }) {
    await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
    aborted = true;
  };
  const all = await frames(await app.fetch(await webhook(URL, message(uid("conv"), "Hi"))));
  assert.equal(all.at(-1)?.type, "response.end");
  assert.match(spoken(all), /Sorry/);
  assert.ok(aborted, "the model's signal was aborted");
});

test("a client disconnect aborts the model and keeps the partial reply in history", async () => {
  const { app, model, history, settled } = setup();
  let aborted!: () => void;
  const abortSeen = new Promise<void>((resolve) => (aborted = resolve));
  model.script = async function* ({ signal }) {
    signal.addEventListener("abort", () => aborted());
    yield "First words";
    await new Promise(() => {});
  };
  const conversation = uid("conv");
  const response = await app.fetch(await webhook(URL, message(conversation, "Tell me a story")));
  const reader = response.body!.getReader();
  const first = await readUntilFirstFrame(reader);
  assert.match(first, /First words/);
  await reader.cancel();
  await abortSeen;
  await settled();
  assert.deepEqual((await history.load(conversation)).map((m) => m.text), ["Tell me a story", "First words"]);
});

test("the next message's interruption context rewrites the stored reply to what the user heard", async () => {
  const { app, model, history, settled } = setup();
  model.script = async function* () {
    yield "One two three four five.";
  };
  const conversation = uid("conv");
  const first = message(conversation, "Count");
  await frames(await app.fetch(await webhook(URL, first)));
  await settled();
  const interruption = { previous_turn_interrupted: true, words_heard: 2, text_heard: "One two", assistant_turn_id: first.turn_id };
  await frames(await app.fetch(await webhook(URL, message(conversation, "Stop", { interruption_context: interruption }))));
  assert.deepEqual(model.calls[1].messages.map((m) => m.text), ["Count", "One two", "Stop"]);
  await settled();
  assert.equal((await history.load(conversation))[1].text, "One two");
});

test("a turn is still answered when the store is down, and the failure is logged", async () => {
  const { app, store, logs } = setup();
  store.down = true;
  const all = await frames(await app.fetch(await webhook(URL, message(uid("conv"), "Hi"))));
  assert.equal(spoken(all), "Echo: Hi");
  assert.equal(all.at(-1)?.type, "response.end");
  assert.ok(logs.lines.some((line) => line.includes("history unavailable")));
});

test("GET /health reports mode, model and store, and no secret", async () => {
  const { app } = setup({ env: { LAYERCODE_WEBHOOK_SECRET: SECRET, LAYERCODE_API_KEY: "lc_key_secret" } });
  const response = await app.fetch(new Request("http://agent.test/health"));
  const text = await response.text();
  assert.equal(response.status, 200);
  assert.deepEqual(JSON.parse(text), {
    status: "ok",
    mode: "production",
    model: "scripted/scripted-1",
    store: "counting",
    storeStatus: "ok",
    webhookSecret: "set",
    layercodeApiKey: "set",
  });
  assert.ok(!text.includes(SECRET) && !text.includes("lc_key_secret"));
});

test("an invalid setting answers 500 with a generic message, and the log names the variable", async () => {
  const { app } = setup({ env: { LAYERCODE_WEBHOOK_SECRET: SECRET, MODEL_TIMEOUT_MS: "soon" } });
  const errors = await consoleErrors(async () => {
    const response = await app.fetch(new Request("http://agent.test/health"));
    assert.equal(response.status, 500);
    const { error } = await response.json();
    assert.doesNotMatch(error, /MODEL_TIMEOUT_MS/);
    assert.match(error, /log/);
  });
  assert.match(errors.join("\n"), /MODEL_TIMEOUT_MS must be a whole number/);
});

test("POST /authorize forwards the session request with the API key and passes the answer through", async () => {
  const api = await startLayercodeApi();
  try {
    const { app } = setup({
      env: { LAYERCODE_WEBHOOK_SECRET: SECRET, LAYERCODE_API_KEY: "lc_secret_key", LAYERCODE_API_URL: api.url },
    });
    const body = { agent_id: "ag_1", metadata: { user: "u1" }, sdk_version: "2.0", config: { evil: true } };
    const response = await app.fetch(new Request("http://agent.test/authorize", { method: "POST", headers: JSON_TYPE, body: JSON.stringify(body) }));
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { client_session_key: "csk_test", conversation_id: "conv_new" });
    assert.equal(api.requests[0].path, "/v1/agents/web/authorize_session");
    assert.equal(api.requests[0].authorization, "Bearer lc_secret_key");
    assert.deepEqual(api.requests[0].body, { agent_id: "ag_1", metadata: { user: "u1" } });

    api.answer = { status: 402, body: { error: "insufficient balance for lc_secret_key" } };
    const refused = await app.fetch(new Request("http://agent.test/authorize", { method: "POST", headers: JSON_TYPE, body: '{"agent_id":"ag_1"}' }));
    assert.equal(refused.status, 402);
    const refusal = await refused.text();
    assert.match(refusal, /insufficient balance/);
    assert.ok(!refusal.includes("lc_secret_key"), "the API key is never echoed");

    api.answer = { status: 500, body: "<html>stack trace</html>" };
    const broken = await app.fetch(new Request("http://agent.test/authorize", { method: "POST", headers: JSON_TYPE, body: '{"agent_id":"ag_1"}' }));
    assert.equal(broken.status, 500);
    assert.deepEqual(await broken.json(), { error: "the Layercode API answered 500" });

    const bad = await app.fetch(new Request("http://agent.test/authorize", { method: "POST", headers: JSON_TYPE, body: "[]" }));
    assert.equal(bad.status, 400);
    const noAgent = await app.fetch(new Request("http://agent.test/authorize", { method: "POST", headers: JSON_TYPE, body: "{}" }));
    assert.equal(noAgent.status, 400);
  } finally {
    await api.close();
  }
});

test("POST /authorize without LAYERCODE_API_KEY is a 500 whose log names the variable, and an unreachable API a 502", async () => {
  const { app } = setup();
  const errors = await consoleErrors(async () => {
    const missing = await app.fetch(new Request("http://agent.test/authorize", { method: "POST", headers: JSON_TYPE, body: '{"agent_id":"a"}' }));
    assert.equal(missing.status, 500);
    assert.doesNotMatch((await missing.json()).error, /LAYERCODE_API_KEY/);
  });
  assert.match(errors.join("\n"), /LAYERCODE_API_KEY is not set/);
  const api = await startLayercodeApi();
  await api.close();
  const down = setup({ env: { LAYERCODE_WEBHOOK_SECRET: SECRET, LAYERCODE_API_KEY: "k", LAYERCODE_API_URL: api.url } });
  const unreachable = await down.app.fetch(new Request("http://agent.test/authorize", { method: "POST", headers: JSON_TYPE, body: '{"agent_id":"a"}' }));
  assert.equal(unreachable.status, 502);
});

test("POST /authorize answers CORS only for configured origins, and localhost in development", async () => {
  const preflight = (origin: string) =>
    new Request("http://agent.test/authorize", {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "POST" },
    });
  const production = setup({ env: { LAYERCODE_WEBHOOK_SECRET: SECRET, CORS_ORIGINS: "https://app.example.com" } });
  const allowed = await production.app.fetch(preflight("https://app.example.com"));
  assert.equal(allowed.headers.get("access-control-allow-origin"), "https://app.example.com");
  const other = await production.app.fetch(preflight("https://evil.example.com"));
  assert.equal(other.headers.get("access-control-allow-origin"), null);
  const local = await production.app.fetch(preflight("http://localhost:3000"));
  assert.equal(local.headers.get("access-control-allow-origin"), null);
  const development = setup({ env: {}, development: true });
  const devLocal = await development.app.fetch(
    new Request("http://127.0.0.1:8787/authorize", {
      method: "OPTIONS",
      headers: { origin: "http://localhost:3000", "access-control-request-method": "POST" },
    }),
  );
  assert.equal(devLocal.headers.get("access-control-allow-origin"), "http://localhost:3000");
});

test("what reaches response.tts is voice-safe: markdown, emoji and URL syntax are removed across deltas", async () => {
  const { app, model, history, settled } = setup();
  model.script = async function* () {
    yield "**Sure!** 👋 Read ";
    yield "[the docs](https://docs.exa";
    yield "mple.com/a) or *ask* me.";
  };
  const conversation = uid("conv");
  const all = await frames(await app.fetch(await webhook(URL, message(conversation, "Help"))));
  assert.equal(spoken(all), "Sure! Read the docs or ask me.");
  await settled();
  assert.equal((await history.load(conversation))[1].text, "Sure! Read the docs or ask me.");

  const raw = setup({ env: { LAYERCODE_WEBHOOK_SECRET: SECRET, VOICE_SAFE_OUTPUT: "false" } });
  raw.model.script = model.script;
  assert.equal(spoken(await frames(await raw.app.fetch(await webhook(URL, message(uid("conv"), "Help"))))), "**Sure!** 👋 Read [the docs](https://docs.example.com/a) or *ask* me.");
});

test("a production app without a Gemini key answers each turn with the apology and response.end, naming the variable in its log", async () => {
  const { logs } = setup();
  const app = createApp({ env: { LAYERCODE_WEBHOOK_SECRET: SECRET }, logger: logs.logger, waitUntil: () => {} });
  const all = await frames(await app.fetch(await webhook(URL, message(uid("conv"), "Hi"))));
  assert.match(spoken(all), /Sorry/);
  assert.equal(all.at(-1)?.type, "response.end");
  assert.ok(logs.lines.some((line) => line.includes("GOOGLE_GENERATIVE_AI_API_KEY is not set")), "the log names the variable");
});

test("development mode answers loopback hosts only, and names the fix in its refusal", async () => {
  const app = createApp({ env: {}, development: true, logger: captureLogs().logger, waitUntil: () => {} });
  for (const base of ["http://localhost:8787", "http://127.0.0.1:8787", "http://127.5.6.7", "http://[::1]:3000", "http://app.localhost:8787"]) {
    const response = await app.fetch(await webhook(`${base}/agent`, message(uid("conv"), "Hi"), { secret: DEVELOPMENT_WEBHOOK_SECRET }));
    assert.equal(response.status, 200, base);
    assert.equal((await frames(response)).at(-1)?.type, "response.end", base);
  }
  const foreign = [
    "http://my-agent.example.com",
    "http://localhost.evil.example",
    "http://127.0.0.1.nip.io",
    "http://10.0.0.7:8787",
    "http://[::2]",
  ];
  for (const base of foreign) {
    for (const path of ["/agent", "/health", "/authorize", "/nothing"]) {
      const request = path === "/agent"
        ? await webhook(`${base}${path}`, message(uid("conv"), "Hi"), { secret: DEVELOPMENT_WEBHOOK_SECRET })
        : new Request(`${base}${path}`);
      const response = await app.fetch(request);
      assert.equal(response.status, 403, `${base}${path}`);
      assert.match((await response.json()).error, /^development mode answers only loopback hosts .*LAYERCODE_WEBHOOK_SECRET/);
    }
  }
  // A proxy or tunnel that keeps Host local but says where the request was meant to go.
  const proxied: Record<string, string>[] = [
    { "x-forwarded-host": "my-agent.example.com" },
    { forwarded: "for=1.2.3.4;host=my-agent.example.com;proto=https" },
  ];
  for (const headers of proxied) {
    const response = await app.fetch(new Request("http://127.0.0.1:8787/health", { headers }));
    assert.equal(response.status, 403, JSON.stringify(headers));
  }
  // Production serves any host.
  const { app: production } = setup();
  assert.equal((await production.fetch(new Request("http://my-agent.example.com/health"))).status, 200);
});

test("an empty webhook secret given in code is a configuration error, not a 500 on every webhook", async () => {
  for (const secrets of [[""], [SECRET, " "]]) {
    const { app } = setup({ config: { webhookSecrets: secrets } });
    const errors = await consoleErrors(async () => {
      const response = await app.fetch(await webhook(URL, message(uid("conv"), "Hi")));
      assert.equal(response.status, 500);
      assert.match((await response.json()).error, /misconfigured/);
    });
    assert.match(errors.join("\n"), /webhookSecrets \(LAYERCODE_WEBHOOK_SECRET\) must be a list of non-empty secrets/);
  }
});
