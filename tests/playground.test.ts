// The playground's routes (handlers/dev.ts, handlers/page.ts) without a browser: served by the real Bun, Deno and Node
// development entries, refused to clients that are not on this machine, absent in production mode and from the
// production bundles (scripts/build.mjs: Workers, Vercel, and Node unless built with --development).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { serve } from "@hono/node-server";
import { isLoopbackAddress, isLoopbackHostHeader } from "../handlers/dev.ts";
import { addDevelopmentPage, PAGE_SDK_PATH } from "../handlers/page.ts";
import { createApp } from "../app/create-app.ts";
import { readFrames } from "../client/read-frames.ts";
import type { ResponseFrame } from "../lib/sse.ts";
import { loadBrowserSdk, peerAddress, withDevelopmentPage } from "../platforms/dev-page.ts";
import { buildBundles } from "../scripts/build.mjs";
import { request as httpRequest } from "node:http";
import { currentRuntime, ROOT, RUNNER_OF, startServer, TARGETS } from "./support/server-process.ts";

type Served = { url: string; port: number; close(): Promise<void> };

async function served(app: { fetch: (request: Request, env?: unknown) => Response | Promise<Response> }, hostname: string): Promise<Served> {
  const server = serve({ fetch: app.fetch, port: 0, hostname });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const quiet = { LOG_LEVEL: "silent" };
const ROUTES = [
  ["GET", "/"],
  ["GET", PAGE_SDK_PATH],
  ["POST", "/dev/webhook"],
  ["GET", "/dev/trace?turn=t1"],
  ["GET", "/dev/history?conversation=c1"],
] as const;

async function status(base: string, [method, path]: readonly [string, string], headers: Record<string, string> = {}) {
  const body = method === "POST" ? JSON.stringify({ type: "data", session_id: "s", conversation_id: "c1", turn_id: "t0", data: {} }) : undefined;
  const response = await fetch(`${base}${path}`, { method, body, headers: { "content-type": "application/json", ...headers } });
  await response.body?.cancel();
  return response.status;
}

/** One request with the given `Host` header (fetch sets its own), answered with its status and body. */
function withHost(base: string, [method, path]: readonly [string, string], host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${base}${path}`, { method, headers: { host, "content-type": "application/json" }, timeout: 10_000 }, (response) => {
      let body = "";
      response.on("data", (chunk) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on("timeout", () => request.destroy(new Error("no answer in 10 s")));
    request.on("error", reject);
    request.end(method === "POST" ? "{}" : undefined);
  });
}

/** A message turn through /dev/webhook: its frames, then its trace and the stored history. */
async function turnThroughPlayground(base: string, conversation: string, text: string) {
  const turnId = `${conversation}-t1`;
  const response = await fetch(`${base}/dev/webhook`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ type: "message", session_id: "s1", conversation_id: conversation, turn_id: turnId, text }),
  });
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
  const frames: ResponseFrame[] = [];
  for await (const frame of readFrames(response.body!)) frames.push(frame);
  const trace = await (await fetch(`${base}/dev/trace?turn=${turnId}`)).json();
  const history = await (await fetch(`${base}/dev/history?conversation=${conversation}`)).json();
  return { frames, trace, history };
}

test("isLoopbackAddress() and isLoopbackHostHeader() accept this machine only", () => {
  for (const address of ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "::ffff:127.0.0.1"]) assert.ok(isLoopbackAddress(address), address);
  for (const address of ["192.0.2.2", "10.0.0.1", "::ffff:192.0.2.2", "fd00::2", "", undefined]) assert.ok(!isLoopbackAddress(address), String(address));
  for (const host of ["localhost", "localhost:8787", "127.0.0.1:8787", "[::1]:8787"]) assert.ok(isLoopbackHostHeader(host), host);
  for (const host of ["example.com", "127.0.0.1.example.com", "localhost.example.com:80", "192.0.2.2:8787", "", undefined]) {
    assert.ok(!isLoopbackHostHeader(host), String(host));
  }
});

let development: Served;
before(async () => {
  const app = () => addDevelopmentPage(createApp({ development: true, env: quiet }), { loadSdk: loadBrowserSdk, peerAddress });
  development = await served(app(), "127.0.0.1");
});
after(async () => {
  await development?.close();
});

test("POST /dev/webhook signs the webhook it is given and /agent answers it: the reply streams, the trace and the stored history follow", async () => {
  const { frames, trace, history } = await turnThroughPlayground(development.url, "c-signed", "Hello");
  assert.equal(frames.at(-1)?.type, "response.end");
  assert.match(frames.filter((f) => f.type === "response.tts").map((f) => (f as { content: string }).content).join(""), /^You said: Hello\./);
  assert.equal(trace.complete, true);
  assert.deepEqual(trace.events.slice(0, 3).map((e: { step: string }) => e.step), ["history", "model", "token"]);
  const metrics = trace.events.at(-1).metrics;
  assert.equal(metrics.storeReads, 1);
  assert.equal(metrics.storeWrites, 2);
  assert.equal(trace.events.filter((e: { step: string }) => e.step === "frame").length, frames.length);
  assert.deepEqual(history.messages.map((m: { role: string }) => m.role), ["user", "assistant"]);
  assert.equal(history.historyKey, "c-signed");
});

test("POST /dev/webhook refuses a body that is not a JSON webhook with 400", async () => {
  for (const body of ["not json", "[1]", '{"text":"no type"}']) {
    const response = await fetch(`${development.url}/dev/webhook`, { method: "POST", body, headers: { "content-type": "application/json" } });
    assert.equal(response.status, 400, body);
    assert.match((await response.json()).error, /webhook/);
  }
});

test("GET /dev/trace answers 404 for a turn that never went through /dev/webhook", async () => {
  const response = await fetch(`${development.url}/dev/trace?turn=never`);
  assert.equal(response.status, 404);
  assert.match((await response.json()).error, /no turn "never"/);
});

test("nothing of the playground is served when development mode is off, even if mounted by mistake", async () => {
  const production = { LOG_LEVEL: "silent", LAYERCODE_WEBHOOK_SECRET: "a-real-secret" };
  const entry = await served(withDevelopmentPage(createApp({ env: production }), false), "127.0.0.1");
  const mistaken = await served(addDevelopmentPage(createApp({ env: production }), { loadSdk: loadBrowserSdk, peerAddress }), "127.0.0.1");
  try {
    for (const route of ROUTES) {
      assert.equal(await status(entry.url, route), 404, `${route.join(" ")} as the entries serve production`);
      assert.equal(await status(mistaken.url, route), 404, `${route.join(" ")} mounted on a production app`);
      assert.equal(await status(development.url, route), route[1].startsWith("/dev/trace") ? 404 : 200, `${route.join(" ")} in development`);
    }
  } finally {
    await entry.close();
    await mistaken.close();
  }
});

test("a Host header that does not name this machine gets 403 on every playground route (DNS rebinding)", async () => {
  for (const route of ROUTES) {
    const answer = await withHost(development.url, route, `attacker.example:${development.port}`);
    assert.equal(answer.status, 403, route.join(" "));
    assert.match(answer.body, /only loopback hosts|loopback clients only/);
  }
  for (const host of [`localhost:${development.port}`, `127.0.0.1:${development.port}`]) {
    assert.equal((await withHost(development.url, ["GET", "/"], host)).status, 200, host);
  }
});

// A client that is not on loopback. The test sends no traffic off loopback: the server is told the peer is remote
// (the same `peerAddress` seam the entries fill from their connection info), so only the guard's decision is tested.
test("a client that is not on loopback gets 403 on every playground route, while /agent still answers", async () => {
  const remotePeer = () => "192.0.2.2";
  const remote = await served(addDevelopmentPage(createApp({ development: true, env: quiet }), { loadSdk: loadBrowserSdk, peerAddress: remotePeer }), "127.0.0.1");
  try {
    for (const route of ROUTES) {
      // The Host header names this machine; only the peer address is wrong.
      assert.equal(await status(remote.url, route), 403, route.join(" "));
    }
    assert.equal(await status(remote.url, ["POST", "/agent"]), 401, "the webhook itself is not the playground's to refuse");
    assert.equal(await status(development.url, ["GET", "/"]), 200, "the same app serves the page to a loopback peer");
  } finally {
    await remote.close();
  }
});

// The real development entries, each under the runner that owns its runtime (tests/support/server-process.ts).
for (const name of ["bun", "deno", "node"] as const) {
  if (RUNNER_OF[name] !== currentRuntime()) continue;
  test(`the ${name} development server serves the playground, and its production mode does not`, async () => {
    const server = await startServer(TARGETS[name], { LOG_LEVEL: "warn" });
    const production = await startServer(TARGETS[name], { LOG_LEVEL: "warn", LAYERCODE_WEBHOOK_SECRET: "a-real-secret" });
    try {
      const page = await fetch(`${server.url}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<title>Agent playground<\/title>/);
      const { frames, trace, history } = await turnThroughPlayground(server.url, `c-${name}`, "Hi");
      assert.equal(frames.at(-1)?.type, "response.end");
      assert.equal(trace.complete, true);
      assert.equal(history.messages.length, 2);
      assert.equal((await withHost(server.url, ["GET", "/"], "attacker.example")).status, 403);
      assert.equal((await withHost(server.url, ["POST", "/dev/webhook"], "attacker.example")).status, 403);
      for (const route of ROUTES) assert.equal(await status(production.url, route), 404, `${name} production: ${route.join(" ")}`);
    } finally {
      await server.stop();
      await production.stop();
    }
  });
}

// Building is the same under either runner: once, under Deno, as tests/bundle-size.test.ts does.
if (currentRuntime() === "deno") {
  test("the production bundles (Workers, Vercel, Node) contain nothing of the playground", async () => {
    const bundles = await buildBundles({ names: ["cloudflare", "vercel", "node"], outdir: `${ROOT}tests/.tmp/bundles-playground` });
    assert.equal(bundles.length, 3);
    for (const { name, path } of bundles) {
      const code = readFileSync(path, "utf8");
      assert.ok(code.length > 10_000, `${name} bundle built`);
      assert.ok(code.includes("/agent"), `${name} bundle has the webhook route`);
      for (const marker of ["/dev/webhook", "/dev/history", "/dev/trace", "Agent playground", PAGE_SDK_PATH, "loopback clients only"]) {
        assert.equal(code.includes(marker), false, `${name} bundle contains ${marker}`);
      }
    }
  });
}
