/**
 * Security end to end, against a real server process of one target: secret rotation, upstream failures mapped
 * without their internals, `/authorize`'s key kept to the configured host, its body cap and CORS, and a final
 * search of everything the process printed during the run (failures included, at LOG_LEVEL=debug) for every secret.
 */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { type GeminiServer, startGeminiServer, words } from "./gemini-server.ts";
import { BUFFERED_BODIES } from "./bad-input-suite.ts";
import { uploadUntilAnswered } from "./raw-http.ts";
import { type ServerProcess, type ServerTarget, startServer } from "./server-process.ts";
import { frames, spoken, uid, webhook } from "./webhooks.ts";

interface Recorded {
  path: string;
  authorization?: string;
  body: string;
}

/** A local HTTP server answering what the test scripts, recording every request. */
interface ScriptedHttp {
  url: string;
  requests: Recorded[];
  answer: (request: Recorded) => { status: number; headers?: Record<string, string>; body?: string };
  close(): Promise<void>;
}

async function scriptedHttp(): Promise<ScriptedHttp> {
  const http = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    for await (const part of req) body += part;
    const request = { path: req.url ?? "", authorization: req.headers.authorization, body };
    api.requests.push(request);
    const answer = api.answer(request);
    res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
    res.end(answer.body ?? "");
  });
  const api: ScriptedHttp = {
    url: "",
    requests: [],
    answer: () => ({ status: 200, body: JSON.stringify({ client_session_key: "csk_default", conversation_id: "c" }) }),
    close: () =>
      new Promise((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  api.url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return api;
}

const random = (prefix: string) => `${prefix}${crypto.randomUUID().replaceAll("-", "")}`;

/** Registers the security cases for one target. */
export function securitySuite(target: ServerTarget): void {
  const name = (what: string) => `[${target.name}] ${what}`;
  const secrets = {
    webhook: random("whsec_new_"),
    previous: random("whsec_old_"),
    retired: random("whsec_retired_"),
    gemini: random("AIzaTest"),
    layercode: random("lc_key_"),
  };
  /** Things the server saw that must never be printed: signatures, a user's words, a session key. */
  const confidential: string[] = [];
  const userSecretText = random("my account PIN is ");
  const sessionKey = random("csk_secret_");
  let gemini: GeminiServer;
  let layercode: ScriptedHttp;
  let thief: ScriptedHttp;
  let server: ServerProcess;

  before(async () => {
    gemini = await startGeminiServer();
    layercode = await scriptedHttp();
    thief = await scriptedHttp();
    server = await startServer(target, {
      LAYERCODE_WEBHOOK_SECRET: `${secrets.webhook}, ${secrets.previous}`,
      GOOGLE_GENERATIVE_AI_API_KEY: secrets.gemini,
      GEMINI_BASE_URL: gemini.baseUrl,
      LAYERCODE_API_KEY: secrets.layercode,
      LAYERCODE_API_URL: layercode.url,
      MODEL_TIMEOUT_MS: "1000",
      LOG_LEVEL: "debug",
    });
  });
  after(async () => {
    await server?.stop();
    await gemini?.close();
    await layercode?.close();
    await thief?.close();
  });

  const agent = () => `${server.url}/agent`;
  const message = (text = "Hello") => ({
    type: "message",
    session_id: "sess_sec",
    conversation_id: uid("conv"),
    turn_id: uid("turn"),
    text,
  });
  async function send(body: Record<string, unknown>, options: Parameters<typeof webhook>[2] = {}) {
    const request = await webhook(agent(), body, { secret: secrets.webhook, ...options });
    confidential.push(request.headers.get("layercode-signature")!.split("v1=")[1]);
    return fetch(request);
  }
  const authorize = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/authorize`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  function assertNoSecret(text: string, where: string) {
    for (const [which, secret] of Object.entries(secrets)) {
      assert.ok(!text.includes(secret), `${where} holds the ${which} secret`);
    }
  }

  test(name("during a rotation both secrets of LAYERCODE_WEBHOOK_SECRET verify, a retired one does not"), async () => {
    gemini.respond = () => ({ deltas: words("Fine thanks") });
    for (const secret of [secrets.webhook, secrets.previous]) {
      const response = await send(message(), { secret });
      assert.equal(response.status, 200);
      assert.equal((await frames(response)).at(-1)?.type, "response.end");
    }
    const before = gemini.requests.length;
    const retired = await send(message(), { secret: secrets.retired });
    assert.equal(retired.status, 401);
    assertNoSecret(await retired.text(), "the 401 answer");
    assert.equal(gemini.requests.length, before);
  });

  test(
    name("model failures are answered with the apology alone: nothing of the upstream error reaches the caller"),
    async () => {
      const scripts = [
        { errorStatus: 500 },
        { errorStatus: 429 },
        { errorStatus: 400 },
        { errorStatus: 403 },
        { deltas: ["Partial "], malformed: true },
        { hang: true },
      ];
      for (const script of scripts) {
        gemini.respond = () => script;
        const body = message(userSecretText);
        const all = await frames(await send(body));
        const text = JSON.stringify(all);
        assert.equal(all.at(-1)?.type, "response.end", JSON.stringify(script));
        assert.match(spoken(all), /Sorry/);
        for (
          const leak of [
            "scripted failure",
            "UNAVAILABLE",
            "GoogleGenerativeAI",
            "googleapis",
            gemini.baseUrl,
            "Error",
            "[5",
            "[4",
          ]
        ) {
          assert.ok(!text.includes(leak), `${JSON.stringify(script)}: the answer holds ${leak}: ${text}`);
        }
        assertNoSecret(text, "a turn's frames");
      }
    },
  );

  test(
    name("/authorize maps upstream failures to their status with a short message, never their internals"),
    async () => {
      const internals = `at handler (/srv/app/authorize.js:42:13) key=${secrets.layercode}`;
      const cases = [
        {
          upstream: { status: 500, headers: { "content-type": "text/html" }, body: `<pre>${internals}</pre>` },
          status: 500,
          error: "the Layercode API answered 500",
        },
        { upstream: { status: 503, body: "" }, status: 503, error: "the Layercode API answered 503" },
        {
          upstream: {
            status: 400,
            body: JSON.stringify({ error: `bad token ${secrets.layercode}`, stack: internals }),
          },
          status: 400,
        },
        {
          upstream: { status: 402, body: JSON.stringify({ error: "insufficient balance", debug: internals }) },
          status: 402,
          error: "insufficient balance",
        },
        { upstream: { status: 200, body: "<html>not json</html>" }, status: 502 },
        { upstream: { status: 200, body: "[1,2]" }, status: 502 },
        { upstream: { status: 204, body: "" }, status: 502 },
      ];
      for (const { upstream, status, error } of cases) {
        layercode.answer = () => upstream;
        const response = await authorize({ agent_id: "ag_1" });
        const text = await response.text();
        assert.equal(response.status, status, `${upstream.status} ${upstream.body}: ${text}`);
        const body = JSON.parse(text);
        assert.deepEqual(Object.keys(body), ["error"]);
        if (error) assert.equal(body.error, error);
        assert.ok(!text.includes("/srv/app") && !text.includes("handler ("), `internals leaked: ${text}`);
        assertNoSecret(text, "an /authorize error");
      }
      layercode.answer = () => ({
        status: 200,
        body: JSON.stringify({ client_session_key: sessionKey, conversation_id: "c1" }),
      });
      const ok = await authorize({ agent_id: "ag_1" });
      assert.equal(ok.status, 200);
      assert.equal((await ok.json()).client_session_key, sessionKey);
      confidential.push(sessionKey);
    },
  );

  test(name("/authorize sends the API key to the configured Layercode host only, even when it redirects"), async () => {
    for (const status of [301, 302, 303, 307, 308]) {
      layercode.answer = () => ({ status, headers: { location: `${thief.url}/steal` } });
      const response = await authorize({ agent_id: "ag_1" });
      const text = await response.text();
      assert.equal(response.status, 502, `a ${status} is not followed, another host's answer never relayed: ${text}`);
      assertNoSecret(text, "a redirected /authorize answer");
    }
    const stolen = thief.requests.filter((r) => r.authorization?.includes(secrets.layercode));
    assert.deepEqual(stolen, [], "the API key reached another host");

    layercode.answer = () => ({
      status: 200,
      body: JSON.stringify({ client_session_key: "csk_1", conversation_id: "c" }),
    });
    const sent = layercode.requests.length;
    const smuggling = {
      agent_id: "ag_1",
      api_url: thief.url,
      url: thief.url,
      config: { session_webhook: { url: `${thief.url}/hook`, custom_headers: { authorization: "x" } } },
    };
    assert.equal((await authorize(smuggling)).status, 200);
    const forwarded = layercode.requests.slice(sent);
    assert.equal(forwarded.length, 1);
    assert.equal(forwarded[0].path, "/v1/agents/web/authorize_session");
    assert.deepEqual(JSON.parse(forwarded[0].body), { agent_id: "ag_1" }, "only the allowed fields are forwarded");
    assert.equal(thief.requests.filter((r) => r.authorization?.includes(secrets.layercode)).length, 0);
  });

  test(name("/authorize refuses a body over 16 KiB with 413 before reading it whole"), async () => {
    const sent = layercode.requests.length;
    const big = await authorize({ agent_id: "ag_1", metadata: { pad: "x".repeat(17_000) } });
    assert.equal(big.status, 413);
    await big.body?.cancel();
    if (BUFFERED_BODIES[target.name]) return; // the early refusal of a streamed body cannot show there (see its reason)
    const url = `${server.url}/authorize`;
    const streamed = await uploadUntilAnswered(url, ["content-type: application/json"], { maxBytes: 32 * 1024 * 1024 });
    assert.equal(streamed.status, 413);
    assert.ok(streamed.answeredEarly, `answered only after all ${streamed.sent} bytes`);
    assert.equal(layercode.requests.length, sent, "nothing reached the Layercode API");
  });

  test(name("/authorize answers no CORS to any origin while CORS_ORIGINS is unset in production"), async () => {
    for (const origin of ["https://evil.example", "http://localhost:3000", "http://127.0.0.1:5173", "null"]) {
      const preflight = await fetch(`${server.url}/authorize`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
      });
      await preflight.body?.cancel();
      assert.equal(preflight.headers.get("access-control-allow-origin"), null, origin);
      const post = await authorize({ agent_id: "ag_1" }, { origin });
      await post.body?.cancel();
      assert.equal(post.headers.get("access-control-allow-origin"), null, origin);
      assert.equal(post.headers.get("access-control-allow-credentials"), null, origin);
    }
  });

  test(name("a client that disconnects mid-turn leaves nothing secret in the logs either"), async () => {
    gemini.respond = () => ({ deltas: words("one two three four five six seven eight"), delayMs: 100 });
    const controller = new AbortController();
    const request = await webhook(agent(), message(userSecretText), {
      secret: secrets.webhook,
      signal: controller.signal,
    });
    confidential.push(request.headers.get("layercode-signature")!.split("v1=")[1]);
    const response = await fetch(request);
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.cancel().catch(() => {});
    await gemini.requests.at(-1)!.closed;
  });

  test(
    name("/health and the server's output over the whole run hold no secret, signature, session key or user words"),
    async () => {
      const health = await (await fetch(`${server.url}/health`)).text();
      assertNoSecret(health, "/health");
      await new Promise((resolve) => setTimeout(resolve, 100)); // let the last log lines arrive
      const output = server.output();
      assert.ok(output.split("\n").length > 5, "the run logged something (LOG_LEVEL=debug)");
      assertNoSecret(output, "the server's output");
      for (const value of [...confidential, userSecretText]) {
        assert.ok(!output.includes(value), `the server's output holds ${value.slice(0, 12)}…`);
      }
      assert.doesNotMatch(output, /bearer /i);
    },
  );
}
