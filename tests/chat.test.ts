// The terminal chat (scripts/chat.ts) run as a real process on the runtime running this file, against a real server
// process whose model is the real Gemini SDK talking to a local Gemini-protocol server.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { verifySignature as layercodeVerifySignature } from "@layercode/node-server-sdk";
import { countWords, interruptionContext, signedWebhook } from "../client/mod.ts";
import { verifySignature } from "../lib/signature.ts";
import { encodeFrame } from "../lib/sse.ts";
import { type GeminiServer, startGeminiServer, words } from "./support/gemini-server.ts";
import { currentRuntime, ROOT, type ServerProcess, startServer, TARGETS } from "./support/server-process.ts";
import { SECRET } from "./support/webhooks.ts";

const WELCOME = "Welcome to the chat test.";
const runtime = currentRuntime() === "deno" ? "deno" : "bun";

let gemini: GeminiServer;
let server: ServerProcess;

before(async () => {
  gemini = await startGeminiServer();
  server = await startServer(TARGETS[runtime], {
    LAYERCODE_WEBHOOK_SECRET: SECRET,
    GOOGLE_GENERATIVE_AI_API_KEY: "test-gemini-key",
    GEMINI_BASE_URL: gemini.baseUrl,
    WELCOME_MESSAGE: WELCOME,
    MODEL_TIMEOUT_MS: "5000",
  });
});
after(async () => {
  await server?.stop();
  await gemini?.close();
});

type Event = Record<string, unknown> & { event: string };

/** How this runtime runs scripts/chat.ts. */
const CHAT = runtime === "deno" ? ["run", "--allow-net", "--allow-env", "--allow-read", "scripts/chat.ts"] : ["scripts/chat.ts"];

/** scripts/chat.ts (or `command`, the runtime's arguments before `args`) as a child process of this runtime, its stdout read line by line. */
function chat(args: string[], env: Record<string, string> = { LAYERCODE_WEBHOOK_SECRET: SECRET }, command = CHAT) {
  const bin = `${ROOT}node_modules/.bin/${runtime}`;
  const argv = [...command, ...args];
  const child: ChildProcess = spawn(bin, argv, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NO_COLOR: "1", ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk) => (stdout += chunk));
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const events = (): Event[] => stdout.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line));
  return {
    events,
    output: () => stdout + stderr,
    write: (line: string) => child.stdin!.write(line + "\n"),
    exited,
    /** Waits until an event matches, and returns it. */
    async until(match: (event: Event) => boolean, ms = 15_000): Promise<Event> {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = events().find(match);
        if (found) return found;
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`no matching event; the chat printed:\n${stdout}${stderr}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    kill: () => child.exitCode === null && child.kill(),
  };
}

const requests = (events: Event[]) => events.filter((e) => e.event === "request").map((e) => e.body as Record<string, unknown>);
const spokenIn = (events: Event[], turnId: unknown) =>
  events.filter((e) => e.event === "frame" && e.type === "response.tts" && e.turn_id === turnId).map((e) => e.content)
    .join("");

test("chat --message --json prints every request and frame as a JSON line, one conversation across turns", async () => {
  gemini.respond = (request) => ({ deltas: words(`Reply number ${request.body.contents.length}.`) });
  const run = chat(["--url", `${server.url}/agent`, "--json", "--message", "My name is Ada.", "--message", "What is my name?"]);
  assert.equal(await run.exited, 0, run.output());
  const events = run.events();
  const sent = requests(events);
  assert.deepEqual(sent.map((r) => r.type), ["session.start", "message", "message"]);
  assert.deepEqual(sent.slice(1).map((r) => r.text), ["My name is Ada.", "What is my name?"]);
  assert.equal(new Set(sent.map((r) => r.conversation_id)).size, 1);
  assert.equal(new Set(sent.map((r) => r.turn_id)).size, 3);
  assert.equal(spokenIn(events, sent[0].turn_id), WELCOME);
  for (const request of sent) {
    const frames = events.filter((e) => e.event === "frame" && e.turn_id === request.turn_id);
    assert.equal(frames.at(-1)?.type, "response.end", "every turn ends with response.end");
  }
  const turns = events.filter((e) => e.event === "turn");
  assert.equal(turns.length, 3);
  assert.ok(turns.every((t) => t.interrupted === false && typeof t.first_frame_ms === "number"));
  const contents = gemini.requests.at(-1)!.body.contents.map((c) => [c.role, c.parts.map((p) => p.text).join("")]);
  assert.deepEqual(contents.slice(-3), [["user", "My name is Ada."], ["model", spokenIn(events, sent[1].turn_id)], [
    "user",
    "What is my name?",
  ]]);
});

test("chat /interrupt cuts the streaming reply and the next turn carries a matching interruption_context", async () => {
  const story = words("Once upon a time there was a small fox who lived in a very large forest far away.");
  gemini.respond = (request) => {
    const last = request.body.contents.at(-1)?.parts[0]?.text;
    return last === "Tell me a story." ? { deltas: story, delayMs: 150 } : { deltas: words("Fine, next.") };
  };
  const run = chat(["--url", `${server.url}/agent`, "--json"]);
  try {
    await run.until((e) => e.event === "turn");
    run.write("Tell me a story.");
    const storyRequest = (await run.until((e) => e.event === "request" && (e.body as { text?: string }).text === "Tell me a story."))
      .body as Record<string, unknown>;
    const storyTurn = storyRequest.turn_id;
    await run.until(() => run.events().filter((e) => e.type === "response.tts" && e.turn_id === storyTurn).length >= 2);
    run.write("/interrupt");
    const interrupted = await run.until((e) => e.event === "interrupted");
    const heard = spokenIn(run.events(), storyTurn);
    assert.ok(heard.length > 0 && heard.length < story.join("").length, `heard part of the story: ${heard}`);
    assert.deepEqual(interrupted, { event: "interrupted", turn_id: storyTurn, ...interruptionContext(heard, storyTurn as string) });
    const upstream = gemini.requests.find((r) => r.body.contents.at(-1)?.parts[0]?.text === "Tell me a story.")!;
    assert.equal(await upstream.closed, true, "the server aborted the model when the chat cut the reply");

    run.write("And now?");
    const next = (await run.until((e) => e.event === "request" && (e.body as { text?: string }).text === "And now?"))
      .body as Record<string, unknown>;
    assert.deepEqual(next.interruption_context, {
      previous_turn_interrupted: true,
      words_heard: countWords(heard),
      text_heard: heard,
      assistant_turn_id: storyTurn,
    });
    assert.equal(next.conversation_id, storyRequest.conversation_id);
    await run.until((e) => e.event === "turn" && e.turn_id === next.turn_id);
    const contents = gemini.requests.at(-1)!.body.contents.map((c) => [c.role, c.parts.map((p) => p.text).join("")]);
    assert.deepEqual(contents.slice(-3), [["user", "Tell me a story."], ["model", heard], ["user", "And now?"]]);
    run.write("/end");
    assert.equal(await run.exited, 0, run.output());
  } finally {
    run.kill();
  }
});

test("chat /end sends session.end with the chat's transcript and exits", async () => {
  gemini.respond = () => ({ deltas: words("Hello to you.") });
  const started = Date.now();
  const run = chat(["--url", `${server.url}/agent`, "--json", "--agent", "ag_terminal"]);
  try {
    await run.until((e) => e.event === "turn");
    run.write("Hello!");
    await run.until(() => run.events().filter((e) => e.event === "turn").length === 2);
    run.write("/end");
    assert.equal(await run.exited, 0, run.output());
  } finally {
    run.kill();
  }
  const end = requests(run.events()).find((r) => r.type === "session.end")!;
  const transcript = end.transcript as { role: string; text: string; timestamp: number }[];
  assert.deepEqual(transcript.map(({ role, text }) => ({ role, text })), [
    { role: "assistant", text: WELCOME },
    { role: "user", text: "Hello!" },
    { role: "assistant", text: "Hello to you." },
  ]);
  for (const [at, line] of transcript.entries()) {
    assert.ok(Number.isInteger(line.timestamp) && line.timestamp >= started && line.timestamp <= Date.now());
    if (at > 0) assert.ok(line.timestamp >= transcript[at - 1].timestamp, "timestamps in order");
  }
  assert.equal(end.agent_id, "ag_terminal");
  assert.equal(typeof end.duration, "number");
  assert.ok(Date.parse(end.ended_at as string) >= Date.parse(end.started_at as string));
  const answer = run.events().find((e) => e.event === "response" && e.type === "session.end")!;
  assert.equal(answer.status, 200);
  assert.deepEqual(answer.body, { received: true });
});

test("chat shows response.data frames, and every request it sends verifies under Layercode's own SDK", async () => {
  // The template's model streams no response.data frames yet: a local server that speaks the SSE wire format
  // sends one, and checks each request with @layercode/node-server-sdk's verifySignature.
  const verified: boolean[] = [];
  const http = createServer(async (req, res) => {
    let raw = "";
    for await (const part of req) raw += part;
    verified.push(layercodeVerifySignature({ payload: raw, signature: String(req.headers["layercode-signature"]), secret: "sdk_secret" }));
    const body = JSON.parse(raw);
    if (body.type === "session.end") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ received: true }));
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    const turn = body.turn_id;
    res.write(encodeFrame({ type: "response.data", content: { isThinking: true }, turn_id: turn }));
    res.write(encodeFrame({ type: "response.tts", content: "Done thinking.", turn_id: turn }));
    res.end(encodeFrame({ type: "response.end", turn_id: turn }));
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  try {
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/agent`;
    const human = chat(["--url", url, "--message", "Think!", "--message", "/end"], { LAYERCODE_WEBHOOK_SECRET: "sdk_secret" });
    assert.equal(await human.exited, 0, human.output());
    assert.match(human.output(), /\[data\] \{"isThinking":true\}/);
    assert.match(human.output(), /agent: Done thinking\./);
    const scripted = chat(["--url", url, "--secret", "sdk_secret", "--json", "--no-start", "--message", "Think!"], {});
    assert.equal(await scripted.exited, 0, scripted.output());
    assert.ok(scripted.events().some((e) => e.event === "frame" && e.type === "response.data"));
    assert.deepEqual(verified, [true, true, true, true]);
  } finally {
    await new Promise<void>((resolve) => http.close(() => resolve()));
  }
});

test("signedWebhook() bodies and headers verify under Layercode's SDK and ours, and fail once changed", async () => {
  const payload = { type: "message", session_id: "s", conversation_id: "c", turn_id: "t", text: "héllo 👋" };
  const { body, headers } = await signedWebhook(payload, "whsec_test");
  const signature = headers["layercode-signature"];
  assert.equal(headers["content-type"], "application/json");
  assert.equal(body, JSON.stringify(payload));
  assert.equal(layercodeVerifySignature({ payload: body, signature, secret: "whsec_test" }), true);
  await verifySignature(signature, body, { secrets: ["whsec_test"] });
  assert.equal(layercodeVerifySignature({ payload: body.replace("héllo", "hello"), signature, secret: "whsec_test" }), false);
  assert.equal(layercodeVerifySignature({ payload: body, signature, secret: "other" }), false);
});

test("interruptionContext() counts the words heard", () => {
  assert.deepEqual(interruptionContext("  Once upon a\ntime ", "turn_1"), {
    previous_turn_interrupted: true,
    words_heard: 4,
    text_heard: "  Once upon a\ntime ",
    assistant_turn_id: "turn_1",
  });
  assert.equal(countWords(""), 0);
});

test("chat reads --name=value as it reads --name value", async () => {
  gemini.respond = () => ({ deltas: words("Equal signs work.") });
  const run = chat([`--url=${server.url}/agent`, "--json", "--no-start", "--conversation=conv_equals", "--message=Hi there"]);
  assert.equal(await run.exited, 0, run.output());
  const sent = requests(run.events());
  assert.deepEqual(sent.map((r) => [r.type, r.conversation_id, r.text]), [["message", "conv_equals", "Hi there"]]);
  assert.equal(spokenIn(run.events(), sent[0].turn_id), "Equal signs work.");
});

test("chat refuses an unknown option or a missing value with the usage and exit code 2", async () => {
  for (const args of [["--nope"], ["--url"]]) {
    const run = chat(args);
    assert.equal(await run.exited, 2, run.output());
    assert.match(run.output(), /usage: chat /);
  }
});

/** The `simulate` script of package.json (Bun) or task of deno.json (Deno): this runtime's arguments. */
function simulateCommand(): string[] {
  if (runtime === "deno") {
    const [env, deno, ...rest] = JSON.parse(readFileSync(`${ROOT}deno.json`, "utf8")).tasks.simulate.split(/\s+/);
    assert.deepEqual([env, deno], ["env", "deno"]);
    return rest;
  }
  const [bun, ...rest] = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")).scripts.simulate.split(/\s+/);
  assert.equal(bun, "bun");
  return rest;
}

test("npm run simulate (deno task simulate) is the chat script: one signed message and its reply, --start sends the welcome first", async () => {
  gemini.respond = () => ({ deltas: words("Simulated reply.") });
  const command = simulateCommand();
  assert.ok(command.includes("scripts/chat.ts"), command.join(" "));
  const one = chat(["--url", `${server.url}/agent`, "--json", "Hello", "there"], undefined, command);
  assert.equal(await one.exited, 0, one.output());
  const sent = requests(one.events());
  assert.deepEqual(sent.map((r) => [r.type, r.text]), [["message", "Hello there"]]);
  assert.equal(spokenIn(one.events(), sent[0].turn_id), "Simulated reply.");
  assert.equal(one.events().filter((e) => e.event === "frame").at(-1)?.type, "response.end");

  const started = chat(["--url", `${server.url}/agent`, "--json", "--start", "--conversation", "c1", "Hi"], undefined, command);
  assert.equal(await started.exited, 0, started.output());
  const both = requests(started.events());
  assert.deepEqual(both.map((r) => [r.type, r.conversation_id]), [["session.start", "c1"], ["message", "c1"]]);
  assert.equal(spokenIn(started.events(), both[0].turn_id), WELCOME);
});
