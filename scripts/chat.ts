/**
 * Talk to your agent in the terminal, as Layercode would: a signed `session.start`, then a signed `message` per line
 * typed, the reply streamed as it arrives, one conversation throughout.
 *
 *   npm run chat                                  (Bun)     deno task chat                      (Deno)
 *   npm run chat -- --url https://my-agent.example.com/agent --secret "$LAYERCODE_WEBHOOK_SECRET"
 *   npm run chat -- --json --message "Hello" --message "What did I just say?" --message /end
 *   npm run simulate -- "Hello there"             (an alias: chat --no-start; one message, then exit)
 *
 * While chatting: type over a reply (or `/interrupt`) to cancel it mid-way; the next message then carries the
 * `interruption_context` Layercode would send (from a pipe, lines queue and only `/interrupt` cuts a reply). `/data {"any":"json"}` sends a `data` event. `/end` sends
 * `session.end` with the chat's transcript and exits. Ctrl-D quits without it.
 *
 * Options: --url URL (default http://127.0.0.1:$PORT/agent, PORT 8787), --secret S (default
 * $LAYERCODE_WEBHOOK_SECRET, else the development secret), --conversation ID, --agent ID (session.end's agent_id),
 * --message TEXT (repeatable: runs without reading the terminal; words after the options are one more message),
 * --no-start (skip session.start; --start sends it anyway), --json (one JSON line per request, frame and event, for
 * scripts). `--name value` and `--name=value` alike.
 */
import process from "node:process";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { type ChatClient, type ChatTurn, createChatClient } from "../client/mod.ts";
import { DEVELOPMENT_WEBHOOK_SECRET } from "../lib/config.ts";

const USAGE = "usage: chat [--url URL] [--secret S] [--conversation ID] [--agent ID] [--start | --no-start] [--json] " +
  "[--message TEXT]... [TEXT]";

/** The command line, read with `node:util`'s parseArgs (`--url URL` and `--url=URL` alike). */
function readArgs(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      url: { type: "string" },
      secret: { type: "string" },
      conversation: { type: "string" },
      agent: { type: "string" },
      message: { type: "string", short: "m", multiple: true },
      json: { type: "boolean" },
      start: { type: "boolean" },
      "no-start": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
    strict: true,
  });
  const text = positionals.join(" ").trim();
  return {
    url: values.url ?? "",
    secret: values.secret ?? "",
    conversation: values.conversation ?? "",
    agent: values.agent ?? "",
    json: values.json ?? false,
    start: values.start ?? !values["no-start"],
    messages: [...(values.message ?? []), ...(text ? [text] : [])],
    help: values.help ?? false,
  };
}

let args: ReturnType<typeof readArgs>;
try {
  args = readArgs(process.argv.slice(2));
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

const json = args.json;
const interactive = args.messages.length === 0;
const chat: ChatClient = createChatClient({
  url: args.url || `http://127.0.0.1:${process.env.PORT || 8787}/agent`,
  secret: args.secret || process.env.LAYERCODE_WEBHOOK_SECRET?.split(",")[0]?.trim() || DEVELOPMENT_WEBHOOK_SECRET,
  conversationId: args.conversation || undefined,
  agentId: args.agent || undefined,
});

const write = (text: string) => process.stdout.write(text);
const event = (fields: Record<string, unknown>) => write(JSON.stringify(fields) + "\n");
const note = (text: string) => (json ? event({ event: "note", message: text }) : write(`  (${text})\n`));

let current: ChatTurn | undefined;

/** Streams one turn to the terminal; returns once it ended or was interrupted. */
async function play(turn: ChatTurn): Promise<void> {
  current = turn;
  const started = performance.now();
  let first: number | undefined;
  if (json) event({ event: "request", body: turn.request });
  let speaking = false;
  try {
    for await (const frame of turn) {
      first ??= performance.now() - started;
      if (json) {
        event({ event: "frame", ...frame });
      } else if (frame.type === "response.tts") {
        if (!speaking) write("agent: ");
        speaking = true;
        write(frame.content);
      } else if (frame.type === "response.data") {
        write(`${speaking ? "\n" : ""}  [data] ${JSON.stringify(frame.content)}\n`);
        speaking = false;
      }
    }
  } catch (error) {
    if (speaking) write("\n");
    speaking = false;
    if (json) event({ event: "error", turn_id: turn.turnId, message: (error as Error).message });
    else write(`  error: ${(error as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    current = undefined;
  }
  if (speaking) write("\n");
  const total = performance.now() - started;
  const heard = chat.pendingInterruption;
  if (json) {
    if (turn.interrupted && heard) event({ event: "interrupted", turn_id: turn.turnId, ...heard });
    event({
      event: "turn",
      turn_id: turn.turnId,
      interrupted: turn.interrupted,
      text: turn.text,
      first_frame_ms: first === undefined ? null : Math.round(first),
      total_ms: Math.round(total),
    });
  } else if (turn.interrupted) {
    write(`  [interrupted: ${heard?.words_heard ?? 0} words heard]\n`);
  }
}

async function sendJson(answer: Promise<{ request: Record<string, unknown>; status: number; body: unknown }>) {
  try {
    const { request, status, body } = await answer;
    if (json) {
      event({ event: "request", body: request });
      event({ event: "response", type: request.type, status, body });
    } else {
      write(`  ${request.type} → ${status} ${JSON.stringify(body)}\n`);
    }
    if (status >= 400) process.exitCode = 1;
  } catch (error) {
    if (json) event({ event: "error", message: (error as Error).message });
    else write(`  error: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}

/** Runs one typed line or `--message`; returns false once the session ended. */
async function run(line: string): Promise<boolean> {
  const text = line.trim();
  if (!text) return true;
  if (text === "/end") {
    await sendJson(chat.end());
    return false;
  }
  if (text === "/interrupt") {
    note("nothing to interrupt");
    return true;
  }
  if (text.startsWith("/data")) {
    let data: unknown;
    try {
      data = JSON.parse(text.slice(5).trim() || "{}");
    } catch {
      note('/data needs JSON, e.g. /data {"clicked": true}');
      return true;
    }
    await sendJson(chat.data(data));
    return true;
  }
  if (text.startsWith("/")) {
    note("commands: /interrupt, /data {json}, /end");
    return true;
  }
  await play(chat.say(text));
  return true;
}

async function exit(): Promise<never> {
  await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  process.exit();
}

if (!json) {
  write(`Chatting with ${args.url || `http://127.0.0.1:${process.env.PORT || 8787}/agent`} ` +
    `(conversation ${chat.conversationId}).\n`);
  if (interactive) write("Type a message. Type over a reply or /interrupt to cut it, /data {json}, /end to hang up.\n");
}
if (!interactive) {
  if (args.start) await play(chat.start());
  for (const message of args.messages) {
    if (!(await run(message))) break;
  }
  await exit();
}

const terminal = Boolean(process.stdin.isTTY);
const rl = createInterface({ input: process.stdin, output: process.stdout, terminal, prompt: "you: " });
const queue: string[] = [];
let wake: (() => void) | undefined;
let closed = false;

rl.on("line", (line) => {
  const text = line.trim();
  if (text === "/interrupt" && current) {
    current.interrupt();
    return;
  }
  // Typing over the agent interrupts it, as speaking over it would, and the line becomes the next turn. From a pipe,
  // lines arrive ahead of time: they wait their turn, and only /interrupt cuts a reply.
  if (terminal && current && text && !text.startsWith("/")) current.interrupt();
  queue.push(line);
  wake?.();
});
rl.on("close", () => {
  closed = true;
  wake?.();
});

if (args.start) await play(chat.start());
if (terminal) rl.prompt();
for (;;) {
  const line = queue.shift();
  if (line === undefined) {
    if (closed) break;
    await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
    continue;
  }
  if (!(await run(line))) break;
  if (terminal) rl.prompt();
}
rl.close();
await exit();
