// Beyond echoing a model: tools over Gemini's wire format, per-turn metrics, post-call summaries, metadata
// templates, several agents in one backend, and the trusted /authorize hook.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { agent } from "../agent.ts";
import { createApp } from "../app/create-app.ts";
import type { CreateAppOptions } from "../lib/types.ts";
import { HttpError } from "../lib/errors.ts";
import { createHistory } from "../lib/history.ts";
import type { Logger } from "../lib/log.ts";
import { renderTemplate } from "../lib/template.ts";
import type { TurnMetrics } from "../lib/turn-events.ts";
import { createGeminiModel } from "../llm/gemini.ts";
import type { Tool } from "../llm/types.ts";
import { createMemoryStore } from "../storage/memory.ts";
import { type GeminiServer, startGeminiServer, words } from "./support/gemini-server.ts";
import { startLayercodeApi } from "./support/layercode-api.ts";
import { scriptedModel } from "./support/scripted-model.ts";
import { frames, messageBody as message, readUntilFirstFrame, SECRET, spoken, uid, webhook } from "./support/webhooks.ts";

const URL = "http://agent.test/agent";
let gemini: GeminiServer;
before(async () => (gemini = await startGeminiServer()));
after(() => gemini.close());

function setup(options: CreateAppOptions = {}) {
  const store = createMemoryStore();
  const pending: Promise<unknown>[] = [];
  const lines: Record<string, unknown>[] = [];
  const write = (level: string) => (message: string, fields?: Record<string, unknown>) => lines.push({ level, message, ...fields });
  const logger: Logger = { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
  const app = createApp({
    env: { LAYERCODE_WEBHOOK_SECRET: SECRET, WELCOME_MESSAGE: "" },
    model: createGeminiModel({ apiKey: "k", baseUrl: gemini.baseUrl }),
    store,
    logger,
    waitUntil: (work) => pending.push(work),
    ...options,
  });
  const settled = async () => {
    while (pending.length) await pending.shift();
  };
  return { app, store, lines, settled, history: createHistory(store) };
}


test("a tool call is declared to Gemini, run, fed back, and the reply continues with filler and data frames", async () => {
  const seen: unknown[] = [];
  const lookup: Tool<{ city: string }> = {
    name: "get_weather",
    description: "Weather in a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    filler: "One moment.",
    execute: ({ city }, context) => {
      seen.push([city, context.conversationId]);
      return { city, forecast: "sunny" };
    },
  };
  gemini.respond = (request) =>
    request.body.contents.at(-1)?.role === "function"
      ? { deltas: words("It is sunny in Paris.") }
      : { deltas: ["Sure. "], functionCalls: [{ name: "get_weather", args: { city: "Paris" } }] };
  const { app } = setup({ tools: [lookup] });
  const conversation = uid("conv");
  const all = await frames(await app.fetch(await webhook(URL, message(conversation, "Weather in Paris?"))));
  assert.equal(spoken(all), "Sure. One moment. It is sunny in Paris.");
  const data = all.filter((f) => f.type === "response.data").map((f) => f.type === "response.data" && f.content);
  assert.deepEqual(data, [
    { isThinking: true, tool: "get_weather" },
    { isThinking: false, tool: "get_weather", result: { city: "Paris", forecast: "sunny" } },
  ]);
  assert.equal(all.at(-1)?.type, "response.end");
  assert.deepEqual(seen, [["Paris", conversation]]);

  const [first, second] = gemini.requests.slice(-2);
  assert.deepEqual(first.body.tools?.[0].functionDeclarations.map((d) => d.name), ["get_weather"]);
  assert.deepEqual(second.body.contents.at(-2), { role: "model", parts: [{ functionCall: { name: "get_weather", args: { city: "Paris" } } }] });
  assert.deepEqual(second.body.contents.at(-1), {
    role: "function",
    parts: [{ functionResponse: { name: "get_weather", response: { result: { city: "Paris", forecast: "sunny" } } } }],
  });
});

test("a failing or unknown tool is reported to the model as an error, and the turn still ends", async () => {
  const broken: Tool = { name: "broken", description: "fails", execute: () => Promise.reject(new Error("db down")) };
  gemini.respond = (request) =>
    request.body.contents.at(-1)?.role === "function"
      ? { deltas: ["Sorry, that failed."] }
      : { functionCalls: [{ name: "broken", args: {} }, { name: "missing", args: {} }] };
  const { app } = setup({ tools: [broken] });
  const all = await frames(await app.fetch(await webhook(URL, message(uid("conv"), "Try it"))));
  assert.equal(spoken(all), "Sorry, that failed.");
  const responses = gemini.requests.at(-1)!.body.contents.at(-1)!.parts.map((p) => p.functionResponse);
  assert.deepEqual(responses, [
    { name: "broken", response: { error: "the tool broken failed" } },
    { name: "missing", response: { error: "there is no tool named missing" } },
  ]);
});

test("the template's example tool answers the current time through the whole loop", async () => {
  gemini.respond = (request) => {
    const last = request.body.contents.at(-1)!;
    if (last.role !== "function") return { functionCalls: [{ name: "get_current_time", args: { timezone: "Europe/Paris" } }] };
    const response = last.parts[0].functionResponse!.response as { result: { now: string } };
    return { deltas: [`It is ${response.result.now}.`] };
  };
  const { app } = setup({ tools: agent.tools });
  const all = await frames(await app.fetch(await webhook(URL, message(uid("conv"), "What time is it in Paris?"))));
  assert.match(spoken(all), /^Let me check\. It is \w+day, \w+ \d+, \d{4} at \d+:\d\d/);
});

test("each turn logs one structured line with ids, timings, tokens and store operations, and calls onTurn", async () => {
  gemini.respond = () => ({ deltas: ["Hello ", "there."] });
  const turns: TurnMetrics[] = [];
  const { app, lines, settled } = setup({ hooks: { onTurn: (metrics) => void turns.push(metrics) } });
  const body = message(uid("conv"), "Private words");
  await frames(await app.fetch(await webhook(URL, body)));
  await settled();
  const line = lines.find((l) => l.message === "turn")!;
  assert.equal(line.conversationId, body.conversation_id);
  assert.equal(line.turnId, body.turn_id);
  assert.equal(line.type, "message");
  for (const field of ["timeToFirstTokenMs", "timeToFirstFrameMs", "totalMs"]) assert.equal(typeof line[field], "number", field);
  assert.ok((line.timeToFirstFrameMs as number) <= (line.totalMs as number));
  assert.equal(line.inputTokens, 5);
  assert.equal(line.outputTokens, 3);
  assert.equal(line.interrupted, false);
  assert.equal(line.storeReads, 1);
  assert.equal(line.storeWrites, 2);
  assert.equal(line.errorClass, undefined);
  assert.ok(!JSON.stringify(lines).includes("Private words"), "no conversation text in the logs");
  assert.deepEqual(turns, [line].map(({ level: _, message: __, ...metrics }) => metrics));
});

test("an interrupted or failed turn says so in its metrics", async () => {
  const model = scriptedModel();
  model.script = async function* () {
    yield "Partial";
    throw new Error("boom");
  };
  const turns: TurnMetrics[] = [];
  const { app, settled } = setup({ model, hooks: { onTurn: (metrics) => void turns.push(metrics) } });
  await frames(await app.fetch(await webhook(URL, message(uid("conv"), "Hi"))));
  model.script = async function* () {
    yield "Start";
    await new Promise(() => {});
  };
  const response = await app.fetch(await webhook(URL, message(uid("conv"), "Hi")));
  const reader = response.body!.getReader();
  await readUntilFirstFrame(reader);
  await reader.cancel();
  await settled();
  assert.deepEqual(turns.map((t) => [t.errorClass, t.interrupted]), [["Error", false], [undefined, true]]);
});

test("session.end hands a typed summary to its hook, and the template stores it in the chosen store", async () => {
  const { app, store, settled } = setup({ hooks: agent.hooks });
  const conversation = uid("conv");
  const end = {
    type: "session.end",
    session_id: "s",
    conversation_id: conversation,
    agent_id: "ag_1",
    started_at: "2026-01-01T10:00:00Z",
    ended_at: "2026-01-01T10:01:00Z",
    duration: 60000,
    latency: 420,
    transcription_duration_seconds: 12,
    tts_duration_seconds: 20,
    custom_metadata: { plan: "pro" },
    transcript: [{ role: "user", text: "Hi", timestamp: 1 }, { role: "assistant", text: "Hello", timestamp: 2 }],
  };
  assert.equal((await app.fetch(await webhook(URL, end))).status, 200);
  const update = { type: "session.update", conversation_id: conversation, recording_status: "completed", recording_url: "https://rec/1" };
  assert.equal((await app.fetch(await webhook(URL, update))).status, 200);
  await settled();
  const summary = JSON.parse((await store.get(`summary:${conversation}`))!.value);
  assert.deepEqual(summary, {
    conversationId: conversation,
    agentId: "ag_1",
    startedAt: "2026-01-01T10:00:00Z",
    endedAt: "2026-01-01T10:01:00Z",
    durationMs: 60000,
    transcript: [{ role: "user", text: "Hi", timestamp: 1 }, { role: "assistant", text: "Hello", timestamp: 2 }],
    latency: { latency: 420, transcriptionSeconds: 12, ttsSeconds: 20 },
    metadata: { plan: "pro" },
  });
  assert.equal((await store.get(`recording:${conversation}`))!.value, "https://rec/1");
});

test("renderTemplate() fills metadata, falls back for missing values and evaluates no code", () => {
  const data = { metadata: { firstName: "Ada", age: 36, nested: { x: "y" }, empty: "" } };
  assert.equal(renderTemplate("Hi {{metadata.firstName}}, {{ metadata.age }}.", data), "Hi Ada, 36.");
  assert.equal(renderTemplate('Hi {{metadata.lastName | "there"}}!', data), "Hi there!");
  assert.equal(renderTemplate('{{metadata.empty | "none"}}', data), "none");
  assert.equal(renderTemplate("[{{metadata.nested}}]", data), "[]");
  assert.equal(renderTemplate("{{metadata.constructor}}{{metadata.__proto__}}", data), "");
  assert.equal(renderTemplate("{{ process.exit() }} {{1+1}}", data), "{{ process.exit() }} {{1+1}}");
  assert.equal(renderTemplate("no placeholders", data), "no placeholders");
});

test("the system prompt and welcome read the session's metadata, phone numbers and selected headers", async () => {
  gemini.respond = () => ({ deltas: ["Ok."] });
  const { app } = setup({
    env: { LAYERCODE_WEBHOOK_SECRET: SECRET, WEBHOOK_HEADERS: "X-Tenant", WELCOME_MESSAGE: 'Hello {{metadata.firstName | "there"}}!' },
    config: { systemPrompt: "Caller {{metadata.firstName}} from {{phone.from}} for tenant {{headers.x-tenant}}." },
  });
  const ids = { session_id: "s", conversation_id: uid("conv"), custom_metadata: { firstName: "Grace" }, from_phone_number: "+15550100" };
  const headers = { "x-tenant": "acme", "x-other": "hidden" };
  const welcome = await frames(await app.fetch(await webhook(URL, { type: "session.start", ...ids, turn_id: "t0" }, { headers })));
  assert.equal(spoken(welcome), "Hello Grace!");
  const anonymous = await frames(await app.fetch(await webhook(URL, { type: "session.start", session_id: "s", conversation_id: "c2", turn_id: "t0" })));
  assert.equal(spoken(anonymous), "Hello there!");
  await frames(await app.fetch(await webhook(URL, { type: "message", ...ids, turn_id: "t1", text: "Hi" }, { headers })));
  assert.equal(gemini.requests.at(-1)!.body.systemInstruction!.parts[0].text, "Caller Grace from +15550100 for tenant acme.");
});

test("resolveAgent serves two personas from one backend, and tenants sharing a conversation_id never share history", async () => {
  gemini.respond = (request) => ({ deltas: [`${request.body.systemInstruction!.parts[0].text} turn ${request.body.contents.length}`] });
  let resolved = 0;
  const { app, settled } = setup({
    resolveAgent: (event) => {
      resolved++;
      const tenant = event.customMetadata?.tenant === "bistro" ? "bistro" : "dental";
      return tenant === "bistro"
        ? { id: "bistro", systemPrompt: "You are Luigi of the bistro.", welcome: "Ciao {{metadata.name}}!" }
        : { id: "dental", systemPrompt: "You are the dental receptionist.", welcome: "Dental office, hello {{metadata.name}}." };
    },
  });
  const shared = uid("conv");
  const ids = (tenant: string) => ({ session_id: `s_${tenant}`, conversation_id: shared, custom_metadata: { tenant, name: "Sam" } });
  const welcomeBistro = await frames(await app.fetch(await webhook(URL, { type: "session.start", ...ids("bistro"), turn_id: "t0" })));
  assert.equal(spoken(welcomeBistro), "Ciao Sam!");
  await settled();
  const bistro = spoken(await frames(await app.fetch(await webhook(URL, message(shared, "Table for two", ids("bistro"))))));
  assert.equal(bistro, "You are Luigi of the bistro. turn 2");
  await settled();
  // The same conversation_id for the other tenant: its own agent, and none of the bistro's history.
  const dental = await frames(await app.fetch(await webhook(URL, message(shared, "A cleaning please", ids("dental")))));
  assert.equal(spoken(dental), "You are the dental receptionist. turn 1");
  assert.deepEqual(gemini.requests.at(-1)!.body.contents.map((c) => c.parts[0].text), ["A cleaning please"]);
  await settled();
  const again = spoken(await frames(await app.fetch(await webhook(URL, message(shared, "Still there?", ids("bistro"))))));
  assert.equal(again, "You are Luigi of the bistro. turn 4");
  assert.equal(resolved, 2, "the agent is resolved once per conversation and tenant, then cached");
});

test("/authorize forwards only what the authorizeSession hook decides, and refuses agents outside LAYERCODE_AGENT_IDS", async () => {
  const api = await startLayercodeApi();
  try {
    const env = { LAYERCODE_WEBHOOK_SECRET: SECRET, LAYERCODE_API_KEY: "k", LAYERCODE_API_URL: api.url, LAYERCODE_AGENT_IDS: "ag_ok" };
    const { app } = setup({
      env,
      hooks: {
        authorizeSession: (request, body) => {
          const user = request.headers.get("authorization")?.replace("Bearer ", "");
          if (!user) throw new HttpError(401, "sign in first");
          return {
            agent_id: String(body.agent_id),
            config: { session_webhook: { custom_metadata: { userId: user }, custom_headers: { "x-user": user } } },
            injected: "dropped",
          } as never;
        },
      },
    });
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      app.fetch(
        new Request("http://agent.test/authorize", {
          method: "POST",
          body: JSON.stringify(body),
          headers: { "content-type": "application/json", ...headers },
        }),
      );
    assert.equal((await post({ agent_id: "ag_ok" })).status, 401);
    assert.equal((await post({ agent_id: "ag_other" }, { authorization: "Bearer u_1" })).status, 403);
    const ok = await post({ agent_id: "ag_ok", metadata: { spoofed: true } }, { authorization: "Bearer u_1" });
    assert.equal(ok.status, 200);
    assert.deepEqual(api.requests.map((r) => r.body), [{
      agent_id: "ag_ok",
      config: { session_webhook: { custom_metadata: { userId: "u_1" }, custom_headers: { "x-user": "u_1" } } },
    }]);

    const plain = setup({ env });
    const forwarded = await plain.app.fetch(new Request("http://agent.test/authorize", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ agent_id: "ag_ok", conversation_id: "c1", metadata: { a: 1 }, config: { x: 1 }, other: 2 }),
    }));
    assert.equal(forwarded.status, 200);
    // By default the browser cannot choose a conversation to resume: Layercode starts a new one.
    assert.deepEqual(api.requests.at(-1)!.body, { agent_id: "ag_ok", metadata: { a: 1 } });
  } finally {
    await api.close();
  }
});

test("/authorize forwards a conversation_id only when the authorizeSession hook returns it, and the hook can read the body", async () => {
  const api = await startLayercodeApi();
  try {
    const env = { LAYERCODE_WEBHOOK_SECRET: SECRET, LAYERCODE_API_KEY: "k", LAYERCODE_API_URL: api.url };
    const owned = new Set(["conv_mine"]);
    const { app } = setup({
      env,
      hooks: {
        authorizeSession: async (request) => {
          // The hook reads the request as any handler would: its body was already read once by /authorize.
          const body = await request.json() as { agent_id: string; conversation_id?: string };
          const resume = body.conversation_id && owned.has(body.conversation_id) ? body.conversation_id : undefined;
          return { agent_id: body.agent_id, ...(resume ? { conversation_id: resume } : {}) };
        },
      },
    });
    const post = (body: unknown) =>
      app.fetch(new Request("http://agent.test/authorize", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      }));
    const mine = await post({ agent_id: "ag_1", conversation_id: "conv_mine" });
    assert.equal(mine.status, 200, await mine.clone().text());
    assert.deepEqual(api.requests.at(-1)!.body, { agent_id: "ag_1", conversation_id: "conv_mine" });
    const theirs = await post({ agent_id: "ag_1", conversation_id: "conv_someone_else" });
    assert.equal(theirs.status, 200);
    assert.deepEqual(api.requests.at(-1)!.body, { agent_id: "ag_1" });
  } finally {
    await api.close();
  }
});

/** `work`, or a failure naming what did not happen within `ms`. */
function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`not within ${ms} ms: ${what}`)), ms)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

test("a slow tool gets the turn's AbortSignal: a barge-in aborts it, and so does the model timeout", async () => {
  const aborted: unknown[] = [];
  let started!: () => void;
  let running = new Promise<void>((resolve) => (started = resolve));
  const slow: Tool = {
    name: "slow_lookup",
    description: "takes a long time",
    filler: "Let me look.",
    execute: (_args, _context, { signal }) =>
      new Promise((_, reject) => {
        started();
        signal.addEventListener("abort", () => {
          aborted.push(signal.reason);
          reject(signal.reason);
        }, { once: true });
      }),
  };
  gemini.respond = (request) =>
    request.body.contents.at(-1)?.role === "function"
      ? { deltas: ["Done."] }
      : { functionCalls: [{ name: "slow_lookup", args: {} }] };

  // Barge-in: the caller goes away while the tool runs.
  const { app } = setup({ tools: [slow] });
  const response = await app.fetch(await webhook(URL, message(uid("conv"), "Look it up")));
  const reader = response.body!.getReader();
  await within(running, 5000, "the tool was called");
  await reader.cancel(); // the stream's cancel() aborts the turn's signal at once
  assert.equal(aborted.length, 1, "the tool saw the abort of a barge-in");

  // Timeout: nothing comes from the model while the tool runs for longer than MODEL_TIMEOUT_MS.
  running = new Promise<void>((resolve) => (started = resolve));
  const timed = setup({ tools: [slow], env: { LAYERCODE_WEBHOOK_SECRET: SECRET, MODEL_TIMEOUT_MS: "150" } });
  const all = await frames(await timed.app.fetch(await webhook(URL, message(uid("conv"), "Look it up"))));
  assert.equal(aborted.length, 2, "the tool saw the abort of the timeout");
  assert.match(spoken(all), /Sorry/);
  assert.equal(all.at(-1)?.type, "response.end");
});

test("templates are expanded in configured and profile strings only: never in hook output, never in a substituted value", async () => {
  gemini.respond = () => ({ deltas: ["Ok."] });
  const headers = { "x-tenant-token": "tok_secret_of_the_tenant" };
  const env = { LAYERCODE_WEBHOOK_SECRET: SECRET, WEBHOOK_HEADERS: "x-tenant-token" };
  const caller = { firstName: "{{headers.x-tenant-token}}" };
  const ids = () => ({ session_id: "s", conversation_id: uid("conv"), custom_metadata: caller });
  // The README's hook: the caller's first name goes into the prompt as typed.
  const { app } = setup({
    env,
    hooks: {
      systemPrompt: (event) => `You are Ava. The caller is ${event.customMetadata?.firstName ?? "a guest"}.`,
      welcome: (event) => `Hello ${event.customMetadata?.firstName}!`,
    },
  });
  await frames(await app.fetch(await webhook(URL, { type: "message", ...ids(), turn_id: "t1", text: "Hi" }, { headers })));
  assert.equal(gemini.requests.at(-1)!.body.systemInstruction!.parts[0].text, "You are Ava. The caller is {{headers.x-tenant-token}}.");
  const welcome = await frames(await app.fetch(await webhook(URL, { type: "session.start", ...ids(), turn_id: "t0" }, { headers })));
  assert.equal(spoken(welcome), "Hello {{headers.x-tenant-token}}!");

  // Configured and profile templates are expanded once: a value that looks like a template stays as it is.
  const configured = setup({ env, config: { systemPrompt: "Caller {{metadata.firstName}}." } });
  await frames(await configured.app.fetch(await webhook(URL, { type: "message", ...ids(), turn_id: "t1", text: "Hi" }, { headers })));
  assert.equal(gemini.requests.at(-1)!.body.systemInstruction!.parts[0].text, "Caller {{headers.x-tenant-token}}.");
  const profiled = setup({ env, resolveAgent: () => ({ id: "a", welcome: "Hi {{metadata.firstName}} / {{headers.x-tenant-token}}" }) });
  const profileWelcome = await frames(await profiled.app.fetch(await webhook(URL, { type: "session.start", ...ids(), turn_id: "t0" }, { headers })));
  assert.equal(spoken(profileWelcome), "Hi {{headers.x-tenant-token}} / tok_secret_of_the_tenant", "the profile's own placeholder is filled");
});

test("a throwing resolveAgent, systemPrompt or welcome hook still ends the turn: the apology, then response.end", async () => {
  gemini.respond = () => ({ deltas: ["Fine."] });
  const boom = () => {
    throw new Error("user code failed");
  };
  const cases: [string, CreateAppOptions][] = [
    ["systemPrompt", { hooks: { systemPrompt: boom } }],
    ["async systemPrompt", { hooks: { systemPrompt: () => Promise.reject(new Error("later")) } }],
    ["systemPrompt returning no text", { hooks: { systemPrompt: () => undefined as unknown as string } }],
    ["welcome", { hooks: { welcome: boom } }],
    ["resolveAgent", { resolveAgent: boom }],
  ];
  for (const [what, options] of cases) {
    const { app, lines } = setup(options);
    const calls = gemini.requests.length;
    for (const body of [message(uid("conv"), "Hi"), { type: "session.start", session_id: "s", conversation_id: uid("conv"), turn_id: "t0" }]) {
      const response = await app.fetch(await webhook(URL, body));
      assert.equal(response.status, 200, what);
      assert.match(response.headers.get("content-type")!, /^text\/event-stream/, what);
      const all = await frames(response);
      const hookFailed = what === "resolveAgent" || (what === "welcome") === (body.type === "session.start");
      if (!hookFailed) continue;
      assert.deepEqual(all, [
        { type: "response.tts", content: "Sorry, I ran into a problem. Could you say that again?", turn_id: body.turn_id },
        { type: "response.end", turn_id: body.turn_id },
      ], `${what} on ${body.type}`);
    }
    assert.ok(lines.some((l) => l.level === "error" && /failed: the turn is answered with the apology/.test(String(l.message))), what);
    assert.ok(!JSON.stringify(lines).includes("user code failed"), "the error's message is not logged");
    if (what !== "welcome") assert.equal(gemini.requests.length, calls, `${what}: the model was not called`);
  }
});

test("a throwing resolveAgent on session.end is logged after the 2xx answer", async () => {
  const { app, lines, settled } = setup({
    resolveAgent: () => {
      throw new Error("no agent");
    },
  });
  const response = await app.fetch(await webhook(URL, { type: "session.end", session_id: "s", conversation_id: uid("conv"), transcript: [] }));
  assert.equal(response.status, 200);
  await settled();
  assert.ok(lines.some((l) => l.level === "error" && l.message === "session.end hook failed"));
});

test("with resolveAgent set, metadata nested 100,000 levels deep gets 400, not a 500", async () => {
  let resolved = 0;
  const { app } = setup({ resolveAgent: () => ({ id: `a${++resolved}` }) });
  const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
  for (const type of ["message", "session.start", "session.end", "data"]) {
    const body = JSON.stringify({ ...message(uid("conv"), "Hi"), type, custom_metadata: { x: "__DEEP__" } }).replace('"__DEEP__"', deep);
    const response = await app.fetch(await webhook(URL, body));
    assert.equal(response.status, 400, type);
    assert.match((await response.json()).error, /nested deeper than 32 levels|not valid UTF-8 JSON/);
  }
  assert.equal(resolved, 0);
});

test("the agent cache is bounded in bytes: large profiles are resolved again once it is full", async () => {
  gemini.respond = () => ({ deltas: ["Ok."] });
  const resolved: string[] = [];
  const prompt = "p".repeat(1024 * 1024); // 2 MB a profile, estimated as UTF-16: four fill the 8 MiB bound
  const { app } = setup({
    resolveAgent: (event) => {
      resolved.push(event.conversationId);
      return { id: "big", systemPrompt: prompt };
    },
  });
  const conversations = Array.from({ length: 6 }, () => uid("conv"));
  for (const conversation of conversations) await frames(await app.fetch(await webhook(URL, message(conversation, "Hi"))));
  assert.equal(resolved.length, 6);
  await frames(await app.fetch(await webhook(URL, message(conversations.at(-1)!, "Again"))));
  assert.equal(resolved.length, 6, "the newest profile is still cached");
  await frames(await app.fetch(await webhook(URL, message(conversations[0], "Again"))));
  assert.equal(resolved.length, 7, "the oldest profile was dropped to stay within the byte bound");
});
