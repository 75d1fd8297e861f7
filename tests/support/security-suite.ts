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
import { assertRefusedEarly, BUFFERED_BODIES } from "./bad-input-suite.ts";
import { rawRequest, uploadUntilAnswered } from "./raw-http.ts";
import { type ServerProcess, type ServerTarget, startServer } from "./server-process.ts";
import { frames, readUntilFirstFrame, spoken, uid, webhook } from "./webhooks.ts";
import { DEVELOPMENT_WEBHOOK_SECRET } from "../../lib/config.ts";

/**
 * The targets whose entry can run in development mode (a local server on loopback without a webhook secret);
 * Workers and Vercel never do.
 */
const DEVELOPMENT_TARGETS = new Set(["bun", "deno", "node"]);

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
        // The key itself refused: a generic 502, whatever the upstream says.
        { upstream: { status: 401, body: JSON.stringify({ error: "invalid API key" }) }, status: 502 },
        { upstream: { status: 403, body: JSON.stringify({ error: "key revoked" }) }, status: 502 },
        // The key echoed in another case or in base64 is redacted all the same.
        {
          upstream: { status: 400, body: JSON.stringify({ error: `bad ${secrets.layercode.toUpperCase()}` }) },
          status: 400,
        },
        {
          upstream: { status: 400, body: JSON.stringify({ error: `bad Bearer ${btoa(secrets.layercode)}` }) },
          status: 400,
        },
        {
          upstream: { status: 422, body: JSON.stringify({ error: `auth ${btoa(`Bearer ${secrets.layercode}`)}` }) },
          status: 422,
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
        if (upstream.status === 401 || upstream.status === 403) {
          assert.doesNotMatch(body.error, /key|revoked/i, "a refused key is not described to the browser");
        }
        const key = secrets.layercode;
        for (const form of [key.toUpperCase(), btoa(key).slice(4, -4), btoa(`Bearer ${key}`).slice(12, -4)]) {
          assert.ok(!text.includes(form), `the API key reached the browser encoded: ${text}`);
        }
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
      conversation_id: "conv_of_someone_else",
      api_url: thief.url,
      url: thief.url,
      config: { session_webhook: { url: `${thief.url}/hook`, custom_headers: { authorization: "x" } } },
    };
    assert.equal((await authorize(smuggling)).status, 200);
    const forwarded = layercode.requests.slice(sent);
    assert.equal(forwarded.length, 1);
    assert.equal(forwarded[0].path, "/v1/agents/web/authorize_session");
    assert.deepEqual(
      JSON.parse(forwarded[0].body),
      { agent_id: "ag_1" },
      "only the allowed fields are forwarded, and no conversation to resume unless a hook allows it",
    );
    assert.equal(thief.requests.filter((r) => r.authorization?.includes(secrets.layercode)).length, 0);
  });

  test(name("/authorize refuses a body over 16 KiB with 413 before reading it whole"), async () => {
    const sent = layercode.requests.length;
    const big = await authorize({ agent_id: "ag_1", metadata: { pad: "x".repeat(17_000) } });
    assert.equal(big.status, 413);
    await big.body?.cancel();
    if (BUFFERED_BODIES[target.name]) return; // the early refusal of a streamed body cannot show there (see its reason)
    const url = `${server.url}/authorize`;
    const total = 32 * 1024 * 1024;
    const streamed = await uploadUntilAnswered(url, ["content-type: application/json"], { maxBytes: total });
    assertRefusedEarly(streamed, target.name, total, { anywhereEarly: true });
    assert.equal(layercode.requests.length, sent, "nothing reached the Layercode API");
  });

  test(name("/authorize takes application/json only: text/plain and untyped bodies (sent cross-site without a preflight) get 415"), async () => {
    const sent = layercode.requests.length;
    for (const type of ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", undefined]) {
      const response = await fetch(`${server.url}/authorize`, {
        method: "POST",
        headers: type ? { "content-type": type } : {},
        // A Blob without a type: fetch sends no content-type at all.
        body: type ? JSON.stringify({ agent_id: "ag_1" }) : new Blob([JSON.stringify({ agent_id: "ag_1" })]),
      });
      assert.equal(response.status, 415, `${type}: ${await response.clone().text()}`);
      assert.match((await response.json()).error, /application\/json/);
    }
    assert.equal(layercode.requests.length, sent, "nothing reached the Layercode API");
  });

  test(name("a configuration error is answered with a generic message; the log names each variable without its credentials"), async () => {
    const token = random("sk-live-");
    const misconfigured = await startServer(target, {
      LAYERCODE_WEBHOOK_SECRET: `${secrets.webhook},,`,
      GEMINI_BASE_URL: `http://gw:99999/v1?token=${token}`,
      LOG_LEVEL: "constructor",
    });
    try {
      const answers = [
        await fetch(`${misconfigured.url}/health`),
        await fetch(`${misconfigured.url}/agent`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "{}",
        }),
      ];
      for (const response of answers) {
        const text = await response.text();
        assert.equal(response.status, 500, text);
        assert.deepEqual(Object.keys(JSON.parse(text)), ["error"]);
        assert.match(JSON.parse(text).error, /log/, "the answer says where to look");
        for (const detail of [token, "sk-live", "GEMINI_BASE_URL", "LAYERCODE_WEBHOOK_SECRET", "gw:99999"]) {
          assert.ok(!text.includes(detail), `the answer holds ${detail}: ${text}`);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100)); // let the log lines arrive
      const output = misconfigured.output();
      for (const variable of ["LAYERCODE_WEBHOOK_SECRET", "GEMINI_BASE_URL", "LOG_LEVEL"]) {
        assert.match(output, new RegExp(`${variable}[^\n]*(empty|must)`), `the log names ${variable}: ${output}`);
      }
      assert.ok(!output.includes(token) && !output.includes("sk-live"), `the log holds the token: ${output}`);
      assertNoSecret(output, "a misconfigured server's output");
    } finally {
      await misconfigured.stop();
    }
  });

  if (DEVELOPMENT_TARGETS.has(target.name)) {
    test(
      name("development mode answers loopback hosts only: a tunnel's, a proxy's or a rebinding page's Host gets 403"),
      async () => {
        const development = await startServer(target, {
          GOOGLE_GENERATIVE_AI_API_KEY: secrets.gemini,
          GEMINI_BASE_URL: gemini.baseUrl,
        });
        gemini.respond = () => ({ deltas: words("Hello from here") });
        try {
          assert.match(development.output(), /development mode/);
          const body = JSON.stringify(message("Hello from afar"));
          const signature = (await webhook(`${development.url}/agent`, body, { secret: DEVELOPMENT_WEBHOOK_SECRET }))
            .headers.get("layercode-signature")!;
          const calls = gemini.requests.length;
          for (const host of ["my-agent.example.com", "my-agent.trycloudflare.com:443", "localhost.evil.example", "10.0.0.7:8787"]) {
            const lines = ["POST /agent HTTP/1.1", `host: ${host}`, "content-type: application/json"];
            const response = await rawRequest(development.url, [...lines, `layercode-signature: ${signature}`], new TextEncoder().encode(body));
            assert.equal(response.status, 403, `${host}: ${response.head}`);
            assert.match(response.body, /development mode answers only loopback hosts/, host);
            assert.match(response.body, /LAYERCODE_WEBHOOK_SECRET/, host);
            const health = await rawRequest(development.url, ["GET /health HTTP/1.1", `host: ${host}`]);
            assert.equal(health.status, 403, `${host}: /health ${health.head}`);
          }
          const proxied = await fetch(`${development.url}/health`, { headers: { "x-forwarded-host": "my-agent.example.com" } });
          assert.equal(proxied.status, 403, "a proxy that keeps Host local but forwards the public one is refused too");
          await proxied.body?.cancel();
          assert.equal(gemini.requests.length, calls, "no foreign host reached the model");

          const health = await (await fetch(`${development.url}/health`)).json();
          assert.equal(health.webhookSecret, "development", "the public development secret is not reported as set");
          const local = await fetch(await webhook(`${development.url}/agent`, body, { secret: DEVELOPMENT_WEBHOOK_SECRET }));
          assert.equal(local.status, 200, "npm start stays zero-configuration on loopback");
          assert.equal((await frames(local)).at(-1)?.type, "response.end");
        } finally {
          await development.stop();
        }
      },
    );
  } else {
    test(name("without a webhook secret this platform never runs in development mode: the public secret gets 401"), async () => {
      const unset = await startServer(target, { GOOGLE_GENERATIVE_AI_API_KEY: secrets.gemini, GEMINI_BASE_URL: gemini.baseUrl });
      try {
        const calls = gemini.requests.length;
        const request = await webhook(`${unset.url}/agent`, message(), { secret: DEVELOPMENT_WEBHOOK_SECRET });
        const response = await fetch(request);
        assert.equal(response.status, 401, await response.clone().text());
        await response.body?.cancel();
        const health = await (await fetch(`${unset.url}/health`)).json();
        assert.equal(health.mode, "production");
        assert.equal(health.webhookSecret, "missing");
        assert.equal(gemini.requests.length, calls);
      } finally {
        await unset.stop();
      }
    });
  }

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
    await readUntilFirstFrame(reader);
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
