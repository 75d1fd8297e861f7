// Which model the environment configures: MODEL_PROVIDER, else the provider whose key or binding is present, never a
// guess between two; development mode keeps its offline agent when none is present. Checked through createApp too,
// whose /health and per-turn log line name the provider and the model.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createApp } from "../../app/create-app.ts";
import { readConfig } from "../../lib/config.ts";
import { ConfigError } from "../../lib/errors.ts";
import { chooseModelProvider, modelFromEnv } from "../../llm/from-env.ts";
import { workersAiDouble } from "../support/workers-ai-binding.ts";
import { frames, messageBody, SECRET, spoken, uid, webhook } from "../support/webhooks.ts";

const ai = workersAiDouble().binding;
const GEMINI = { GOOGLE_GENERATIVE_AI_API_KEY: "g-key" };
const OPENAI = { OPENAI_API_KEY: "sk-key" };
const model = (env: Record<string, unknown>, development = false) => {
  const found = modelFromEnv(env, readConfig(env as Record<string, string>, development));
  return `${found.name}/${found.model}`;
};

test("MODEL_PROVIDER names the provider, whatever else is set", () => {
  const all = { ...GEMINI, ...OPENAI, AI: ai };
  assert.equal(model({ ...all, MODEL_PROVIDER: "gemini" }), "gemini/gemini-2.5-flash-lite");
  assert.equal(model({ ...all, MODEL_PROVIDER: "openai" }), "openai/gpt-4.1-mini");
  assert.equal(
    model({ ...all, MODEL_PROVIDER: " Workers-AI " }),
    "workers-ai/@cf/meta/llama-3.3-70b-instruct-fp8-fast",
  );
});

test("without MODEL_PROVIDER, the provider whose key or binding is present is chosen", () => {
  assert.equal(chooseModelProvider(GEMINI), "gemini");
  assert.equal(chooseModelProvider(OPENAI), "openai");
  assert.equal(chooseModelProvider({ OPENAI_BASE_URL: "http://127.0.0.1:11434/v1" }), "openai");
  assert.equal(chooseModelProvider({ AI: ai }), "workers-ai");
  assert.equal(chooseModelProvider({ AI: "not a binding" }), undefined);
  assert.equal(chooseModelProvider({}), undefined);
});

test("two providers present without MODEL_PROVIDER are refused, the message naming both variables", () => {
  assert.throws(
    () => chooseModelProvider({ ...GEMINI, ...OPENAI }),
    (error: Error) =>
      error instanceof ConfigError && /GOOGLE_GENERATIVE_AI_API_KEY/.test(error.message) &&
      /OPENAI_API_KEY/.test(error.message) && /MODEL_PROVIDER/.test(error.message),
  );
  assert.throws(() => chooseModelProvider({ ...OPENAI, AI: ai }), /OPENAI_API_KEY.*binding AI/);
});

test("an unknown MODEL_PROVIDER or a malformed OPENAI_BASE_URL is a ConfigError naming the variable", () => {
  assert.throws(
    () => chooseModelProvider({ MODEL_PROVIDER: "anthropic" }),
    /MODEL_PROVIDER must be gemini, openai, workers-ai/,
  );
  assert.throws(
    () => model({ MODEL_PROVIDER: "openai", OPENAI_BASE_URL: "not a url" }),
    /OPENAI_BASE_URL must be an absolute URL/,
  );
});

test("OPENAI_MODEL, WORKERS_AI_MODEL and GEMINI_MODEL choose the model", () => {
  assert.equal(model({ ...OPENAI, OPENAI_MODEL: "llama-3.1-8b-instant" }), "openai/llama-3.1-8b-instant");
  assert.equal(
    model({ AI: ai, WORKERS_AI_MODEL: "@cf/google/gemma-3-12b-it" }),
    "workers-ai/@cf/google/gemma-3-12b-it",
  );
  assert.equal(model({ ...GEMINI, GEMINI_MODEL: "gemini-2.5-flash" }), "gemini/gemini-2.5-flash");
});

test("development mode keeps the offline agent when no provider is present, and only then", () => {
  assert.equal(model({}, true), "offline/offline-echo");
  assert.equal(model({ ...OPENAI }, true), "openai/gpt-4.1-mini");
  assert.equal(model({}, false), "gemini/gemini-2.5-flash-lite");
});

test("a chosen provider without its key or binding apologizes each turn, and the log names what to set", async () => {
  for (
    const [env, variable] of [
      [{ MODEL_PROVIDER: "openai" }, "OPENAI_API_KEY"],
      [{ MODEL_PROVIDER: "workers-ai" }, "[ai] binding"],
      [{ MODEL_PROVIDER: "gemini" }, "GOOGLE_GENERATIVE_AI_API_KEY"],
    ] as const
  ) {
    const lines: string[] = [];
    const log = (message: string, fields?: Record<string, unknown>) =>
      void lines.push(`${message} ${JSON.stringify(fields)}`);
    const app = createApp({
      env: { LAYERCODE_WEBHOOK_SECRET: SECRET, ...env },
      logger: { debug: log, info: log, warn: log, error: log },
    });
    const body = messageBody(uid("conv"), "Hello");
    const all = await frames(await app.fetch(await webhook("http://agent.test/agent", body)));
    assert.equal(all.at(-1)?.type, "response.end");
    assert.match(spoken(all), /Sorry/);
    assert.ok(lines.some((line) => line.includes(variable)), `a log line names ${variable}: ${lines.join("\n")}`);
  }
});

test("two providers present: every request gets a 500, and the log names both variables, /health included", async () => {
  const app = createApp({ env: { LAYERCODE_WEBHOOK_SECRET: SECRET, ...GEMINI, ...OPENAI } });
  const original = console.error;
  const printed: string[] = [];
  console.error = (line: string) => void printed.push(line);
  try {
    const health = await app.fetch(new Request("http://agent.test/health"));
    assert.equal(health.status, 500);
    assert.equal(typeof (await health.json()).error, "string");
  } finally {
    console.error = original;
  }
  assert.ok(printed.some((line) => /GOOGLE_GENERATIVE_AI_API_KEY and OPENAI_API_KEY/.test(line)), printed.join("\n"));
});

test("/health names the provider and the model chosen by the environment", async () => {
  const app = createApp({
    env: { LAYERCODE_WEBHOOK_SECRET: SECRET, AI: ai, WORKERS_AI_MODEL: "@cf/meta/llama-3.1-8b-instruct-fast" },
  });
  const health = await (await app.fetch(new Request("http://agent.test/health"))).json();
  assert.equal(health.model, "workers-ai/@cf/meta/llama-3.1-8b-instruct-fast");
});
