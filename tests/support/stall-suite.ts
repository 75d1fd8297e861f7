/**
 * Stalls against a real server process of one target: uploads that stop mid-body (answered 408 within
 * `BODY_TIMEOUT_MS`, their connection closed), a slow reply stream quieter than `IDLE_TIMEOUT_SECONDS` (never cut),
 * and a store that stops answering (a dedicated `redis-server` frozen with SIGSTOP): every webhook is still answered
 * and every turn ends with `response.end`.
 */
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, test } from "node:test";
import { type GeminiServer, startGeminiServer, words } from "./gemini-server.ts";
import { rawRequest } from "./raw-http.ts";
import { connectTestRedis, type RedisProcess, startRedisProcess } from "./redis.ts";
import { type ServerProcess, type ServerTarget, startServer } from "./server-process.ts";
import { frames, messageBody, SECRET, spoken, uid, webhook } from "./webhooks.ts";

// Shorter than IDLE_TIMEOUT_SECONDS (1 s): a stalled upload gets its 408 before the idle timeout would close it.
const BODY_TIMEOUT_MS = 500;
const STORE_TIMEOUT_MS = 500;

/** What a stalled upload saw: the answer's status line, and whether the server closed the connection. */
interface Stalled {
  status: number;
  closed: boolean;
}

/**
 * POSTs a webhook that declares 200,000 bytes, sends 100, then stops; waits up to `waitMs` for the server to close
 * the connection.
 */
function stalledUpload(url: string, waitMs: number): Promise<Stalled> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let text = "";
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ status: status(), closed: false });
    }, waitMs);
    const status = () => Number(text.match(/^HTTP\/1\.[01] (\d{3})/)?.[1] ?? 0);
    socket.on("data", (chunk) => {
      text += chunk;
    });
    socket.on("error", () => {}); // a reset once answered counts as closed
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ status: status(), closed: true });
    });
    socket.once("connect", () => {
      socket.write(
        [
          "POST /agent HTTP/1.1",
          `host: ${hostname}:${port}`,
          "content-type: application/json",
          "layercode-signature: t=1,v1=00",
          "content-length: 200000",
          "",
          "",
        ].join("\r\n") + " ".repeat(100),
      );
    });
    socket.once("error", reject);
  });
}

/** Registers the stall cases for one target (a long-running server: Bun, Deno, Node). */
export function stallSuite(target: ServerTarget): void {
  const name = (what: string) => `[${target.name}] ${what}`;
  let gemini: GeminiServer;
  let redis: RedisProcess | undefined;
  let server: ServerProcess;
  let skip: string | undefined;

  before(async () => {
    const probe = await connectTestRedis(); // no Redis here: say why (CI fails instead)
    if (probe.error) throw new Error(probe.error);
    await probe.client?.close();
    skip = probe.skip;
    gemini = await startGeminiServer();
    if (!skip) redis = await startRedisProcess();
    server = await startServer(target, {
      ...(redis ? { REDIS_URL: redis.url } : {}),
      LAYERCODE_WEBHOOK_SECRET: SECRET,
      GOOGLE_GENERATIVE_AI_API_KEY: "test-gemini-key",
      GEMINI_BASE_URL: gemini.baseUrl,
      WELCOME_MESSAGE: "Welcome.",
      BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS),
      STORE_TIMEOUT_MS: String(STORE_TIMEOUT_MS),
      IDLE_TIMEOUT_SECONDS: "1",
      MODEL_TIMEOUT_MS: "5000",
    });
  });
  after(async () => {
    redis?.thaw();
    await server?.stop();
    await gemini?.close();
    await redis?.kill();
  });

  test(name("a stalled upload is answered 408 within BODY_TIMEOUT_MS and its connection is closed"), async () => {
    const result = await stalledUpload(server.url, BODY_TIMEOUT_MS + 4000);
    assert.equal(result.status, 408, "answered 408 before the wait ran out");
    assert.equal(result.closed, true, "the server closed the connection");
  });

  test(name("a flood of stalled uploads is answered and released, and a turn is still served"), async () => {
    const flood = await Promise.all(
      Array.from({ length: 40 }, () => stalledUpload(server.url, BODY_TIMEOUT_MS + 6000)),
    );
    assert.deepEqual(new Set(flood.map((r) => r.status)), new Set([408]));
    assert.ok(flood.every((r) => r.closed), "every connection was closed");
    gemini.respond = () => ({ deltas: words("Still here.") });
    const all = await frames(await fetch(await webhook(`${server.url}/agent`, messageBody(uid("conv"), "Hello?"))));
    assert.equal(spoken(all), "Still here.");
  });

  test(name("a reply stream quieter than IDLE_TIMEOUT_SECONDS between deltas is not cut"), async () => {
    gemini.respond = () => ({ deltas: ["Slow ", "but ", "alive."], delayMs: 1600 });
    const body = JSON.stringify(messageBody(uid("conv"), "Take your time"));
    const request = await webhook(`${server.url}/agent`, body);
    const response = await rawRequest(
      server.url,
      ["POST /agent HTTP/1.1", "content-type: application/json", `layercode-signature: ${request.headers.get("layercode-signature")}`],
      new TextEncoder().encode(body),
      { timeoutMs: 15_000 },
    );
    assert.equal(response.status, 200);
    for (const part of ["Slow ", "but ", "alive.", "response.end"]) assert.ok(response.body.includes(part), part);
  });

  test(name("with its Redis frozen, webhooks are still answered and every turn ends with response.end"), async (t) => {
    if (skip) return t.skip(skip);
    gemini.respond = () => ({ deltas: words("Answered without history.") });
    const conversation = uid("conv");
    const agent = `${server.url}/agent`;
    const signal = AbortSignal.timeout(20_000); // a hang fails here instead of holding the run
    const ids = { session_id: "s", conversation_id: conversation };
    redis!.freeze();
    try {
      const start = await frames(await fetch(await webhook(agent, { type: "session.start", ...ids, turn_id: uid("t") }, { signal })));
      assert.deepEqual(start.map((f) => f.type), ["response.tts", "response.end"]);
      const turn = await frames(await fetch(await webhook(agent, messageBody(conversation, "Are you there?"), { signal })));
      assert.equal(spoken(turn), "Answered without history.");
      assert.equal(turn.at(-1)?.type, "response.end");
      for (const body of [{ type: "session.end", ...ids, transcript: [] }, { type: "data", ...ids, turn_id: "t2", data: {} }]) {
        const response = await fetch(await webhook(agent, body, { signal }));
        assert.equal(response.status, 200, body.type);
        await response.body?.cancel();
      }
      const health = await (await fetch(`${server.url}/health`, { signal })).json();
      assert.equal(health.storeStatus, "unavailable", "/health reports the store's state");
      await new Promise((resolve) => setTimeout(resolve, STORE_TIMEOUT_MS + 200)); // the writes after the answers
      const lines = server.output().split("\n");
      for (const logged of ["replay guard unavailable: processing the webhook", "history write failed", "session.end hook failed"]) {
        const line = lines.find((l) => l.includes(logged));
        assert.ok(line?.includes('"errorClass":"TimeoutError"'), `logged "${logged}" with the TimeoutError: ${line}`);
      }
      assert.ok(!lines.some((l) => l.includes(SECRET)), "no secret in the logs");
    } finally {
      redis!.thaw();
    }
  });
}
