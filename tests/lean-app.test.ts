// The Workers entries' app (app/lean-app.ts) answers as Hono's does: the same routes (app/assemble.ts) on both, the
// same requests, compared answer by answer (status, headers, body; a turn's SSE frames by type and text). And
// /authorize's CORS (handlers/authorize.ts) answers as hono/cors did with the options it replaced.
import assert from "node:assert/strict";
import { test } from "node:test";
import { type Context, Hono } from "hono";
import { cors } from "hono/cors";
import { assembleApp } from "../app/assemble.ts";
import { LeanApp } from "../app/lean-app.ts";
import { authorizeCors } from "../handlers/authorize.ts";
import { readConfig } from "../lib/config.ts";
import type { AgentRuntime, CreateAppOptions } from "../lib/types.ts";
import { createMemoryStore } from "../storage/memory.ts";
import { scriptedModel } from "./support/scripted-model.ts";
import { frames, messageBody, SECRET, webhook } from "./support/webhooks.ts";

const ORIGIN = "https://app.example.com";
const BASE = "http://agent.test";

/** The same app twice, Hono's and the lean one, each with its own store and a scripted model. */
function apps(env: Record<string, unknown>) {
  const options = (): CreateAppOptions => ({ env, model: scriptedModel(), store: createMemoryStore() });
  const platform = { env: () => env, defaultModel: () => scriptedModel() };
  return {
    hono: assembleApp(new Hono(), options(), platform),
    lean: assembleApp(new LeanApp(), options(), platform),
  };
}

/** What a client sees of an answer: status, headers (sorted) and body; SSE frames by type and text. */
async function seen(response: Response) {
  const headers = [...response.headers].sort(([a], [b]) => a.localeCompare(b));
  const body = response.headers.get("content-type")?.startsWith("text/event-stream")
    ? (await frames(response)).map((f) => `${f.type}:${"content" in f && typeof f.content === "string" ? f.content : ""}`)
    : await response.text();
  return { status: response.status, headers, body };
}

const REQUESTS: [string, () => Request | Promise<Request>][] = [
  ["GET /health", () => new Request(`${BASE}/health`)],
  ["HEAD /health", () => new Request(`${BASE}/health`, { method: "HEAD" })],
  ["GET /health/ (strict: not /health)", () => new Request(`${BASE}/health/`)],
  ["GET /%68ealth (percent-decoded)", () => new Request(`${BASE}/%68ealth`)],
  ["GET /health?x=1#y", () => new Request(`${BASE}/health?x=1#y`)],
  ["GET /Health", () => new Request(`${BASE}/Health`)],
  ["POST /health", () => new Request(`${BASE}/health`, { method: "POST" })],
  ["GET /", () => new Request(`${BASE}/`)],
  ["GET /nowhere/%E0%A4%A (a malformed escape)", () => new Request(`${BASE}/nowhere/%E0%A4%A`)],
  ["GET /agent", () => new Request(`${BASE}/agent`)],
  ["PUT /agent", () => new Request(`${BASE}/agent`, { method: "PUT", body: "x" })],
  ["POST /agent/", () => new Request(`${BASE}/agent/`, { method: "POST", body: "{}" })],
  ["POST /agent unsigned", () => new Request(`${BASE}/agent`, { method: "POST", body: "{}" })],
  ["POST /agent signed", () => webhook(`${BASE}/agent`, messageBody("conv_lean", "Hello"))],
  ["POST /agent signed, not JSON", () => webhook(`${BASE}/agent`, "{not json")],
  ["GET /authorize", () => new Request(`${BASE}/authorize`)],
  ["DELETE /authorize", () => new Request(`${BASE}/authorize`, { method: "DELETE" })],
  [
    "OPTIONS /authorize, allowed origin",
    () => new Request(`${BASE}/authorize`, { method: "OPTIONS", headers: { origin: ORIGIN, "access-control-request-method": "POST" } }),
  ],
  [
    "OPTIONS /authorize, other origin",
    () => new Request(`${BASE}/authorize`, { method: "OPTIONS", headers: { origin: "https://evil.example.com" } }),
  ],
  [
    "POST /authorize, allowed origin, no API key",
    () => new Request(`${BASE}/authorize`, { method: "POST", headers: { origin: ORIGIN, "content-type": "application/json" }, body: '{"agent_id":"a"}' }),
  ],
  [
    "POST /authorize, not JSON",
    () => new Request(`${BASE}/authorize`, { method: "POST", headers: { "content-type": "text/plain" }, body: "x" }),
  ],
];

for (const [title, env] of [
  ["configured", { LAYERCODE_WEBHOOK_SECRET: SECRET, CORS_ORIGINS: ORIGIN }],
  ["misconfigured (a ConfigError on every request)", { LAYERCODE_WEBHOOK_SECRET: SECRET, MAX_BODY_BYTES: "lots" }],
] as const) {
  test(`the Workers entries' LeanApp answers every request as Hono does, ${title}`, async () => {
    const { hono, lean } = apps(env);
    for (const [name, request] of REQUESTS) {
      const [a, b] = [await seen(await hono.fetch(await request())), await seen(await lean.fetch(await request()))];
      assert.deepEqual(b, a, name);
    }
  });
}

test("the LeanApp refuses a route it cannot match as Hono would, when the route is added", () => {
  assert.throws(() => new LeanApp().get("/users/:id", (c) => c.json({})), /static paths/);
  assert.throws(() => new LeanApp().get("/files/*", (c) => c.json({})), /static paths/);
});

test("/authorize's CORS answers as hono/cors did with the options it replaced, preflight and request", async () => {
  const LOCAL = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;
  for (const [corsOrigins, mode] of [[[ORIGIN], "production"], [["*"], "production"], [[], "development"]] as const) {
    const config = { ...readConfig({}), corsOrigins: [...corsOrigins], mode } as AgentRuntime["config"];
    const runtime = (_c: Context) => Promise.resolve({ config } as AgentRuntime);
    const before = new Hono().use(
      "/authorize",
      cors({
        origin: async (origin, c) => {
          const { config } = await runtime(c);
          const allowed = config.corsOrigins.includes("*") || config.corsOrigins.includes(origin) ||
            (config.mode === "development" && LOCAL.test(origin));
          return allowed ? origin : null;
        },
        allowMethods: ["POST", "OPTIONS"],
        allowHeaders: ["content-type"],
        maxAge: 600,
      }),
    );
    const now = new Hono().use("/authorize", authorizeCors(runtime));
    for (const app of [before, now]) app.post("/authorize", (c) => c.json({ ok: true }, 200, { vary: "accept" }));
    for (const origin of [ORIGIN, "https://evil.example.com", "http://localhost:3000", undefined]) {
      for (const method of ["OPTIONS", "POST"]) {
        for (const requested of [undefined, "content-type, x-other"]) {
          const request = () =>
            new Request(`${BASE}/authorize`, {
              method,
              headers: {
                ...(origin ? { origin } : {}),
                ...(requested ? { "access-control-request-headers": requested } : {}),
              },
              ...(method === "POST" ? { body: "{}" } : {}),
            });
          const [a, b] = [await seen(await before.fetch(request())), await seen(await now.fetch(request()))];
          assert.deepEqual(b, a, `${mode} ${corsOrigins.join(",")}: ${method} from ${origin} asking ${requested}`);
        }
      }
    }
  }
});
