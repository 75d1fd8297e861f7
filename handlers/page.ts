import type { Context, Hono } from "hono";
import { addDevelopmentRoutes, developmentOnly, type DevelopmentRoutesOptions } from "./dev.ts";

/** Where the page loads Layercode's browser SDK from, relative to the page (voice mode only). */
export const PAGE_SDK_PATH = "/sdk/layercode-js-sdk.js";

// String.raw: the page's script keeps its backslashes ("\n\n" stays an escape in the browser's JavaScript).
const PAGE = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Agent playground</title>
<link rel="icon" href="data:,">
<style>
:root { color-scheme: light dark; --fg: #1d2330; --muted: #5c6575; --line: #d9dee7; --bg: #f6f7f9; --card: #fff;
  --accent: #2563eb; --agent: #eef3ff; --user: #e9f7ef; --warn: #b45309; --bad: #c62828;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e9ef; --muted: #9aa3b2; --line: #343b48; --bg: #14171c;
  --card: #1c2027; --accent: #7aa2ff; --agent: #1f2a40; --user: #1d3327; --warn: #f0a24b; --bad: #ff6b6b; } }
* { box-sizing: border-box; }
body { margin: 0; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: .3rem 1rem; padding: .8rem 1.2rem;
  border-bottom: 1px solid var(--line); background: var(--card); }
h1 { font-size: 1.15rem; margin: 0; }
h2 { font-size: .95rem; margin: 0 0 .2rem; }
.hint, .meta { color: var(--muted); font-size: .85rem; margin: 0; }
.layout { display: grid; grid-template-columns: minmax(0, 1fr) minmax(16rem, 22rem); gap: 1rem; padding: 1rem 1.2rem;
  max-width: 76rem; margin: 0 auto; }
@media (max-width: 52rem) { .layout { grid-template-columns: 1fr; } }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: .8rem 1rem; }
#turns { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: .6rem; }
.turn { border-radius: 10px; padding: .5rem .75rem; max-width: 92%; }
.turn.user { background: var(--user); align-self: flex-end; }
.turn.agent { background: var(--agent); align-self: flex-start; min-width: min(100%, 24rem); }
.turn.event { align-self: center; color: var(--muted); font-size: .85rem; padding: 0; }
.who { font-size: .75rem; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.text { margin: .1rem 0 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.agent[data-state="streaming"] .text::after { content: ""; display: inline-block; width: .45em; height: 1.05em;
  margin-left: 1px; vertical-align: text-bottom; background: var(--accent); opacity: .7; }
.who .cut { color: var(--warn); }
.who .id { text-transform: none; letter-spacing: 0; font-weight: 400; }
aside.card { align-self: start; }
.data { font: .8rem ui-monospace, monospace; color: var(--muted); margin: .2rem 0 0; overflow-wrap: anywhere; }
.timeline { margin-top: .45rem; border-top: 1px dashed var(--line); padding-top: .35rem; font-size: .8rem; }
.timeline .meta { font-size: .8rem; }
.bar { position: relative; height: 10px; margin: .3rem 0; border-radius: 5px; background: var(--line); overflow: hidden; }
.tick { position: absolute; top: 0; bottom: 0; width: 2px; background: var(--accent); opacity: .55; }
.tick.mark { width: 3px; opacity: 1; background: var(--fg); }
.tick.tool { background: var(--warn); opacity: 1; width: 4px; }
.tick.error { background: var(--bad); opacity: 1; width: 4px; }
.steps { margin: .2rem 0 0; padding-left: 0; list-style: none; font: .75rem/1.45 ui-monospace, monospace;
  max-height: 14rem; overflow: auto; }
.steps li { display: grid; grid-template-columns: 5.2rem 1fr; gap: .5rem; }
.steps .at { text-align: right; color: var(--muted); }
form { margin-top: .8rem; }
label { font-weight: 600; font-size: .9rem; }
.row { display: flex; gap: .5rem; flex-wrap: wrap; align-items: center; margin-top: .3rem; }
input { font: inherit; flex: 1 1 14rem; padding: .5rem .7rem; border: 1px solid var(--line); border-radius: 8px;
  background: var(--bg); color: inherit; }
button { font: inherit; padding: .45rem .9rem; border-radius: 8px; border: 1px solid var(--line); background: var(--card);
  color: inherit; cursor: pointer; }
button[type="submit"] { background: var(--accent); border-color: var(--accent); color: #fff; }
button:disabled { opacity: .45; cursor: default; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
#history { margin: .5rem 0 0; padding: 0; list-style: none; display: flex; flex-direction: column; gap: .4rem; }
#history li { border-left: 3px solid var(--line); padding: .1rem .5rem; font-size: .88rem; overflow-wrap: anywhere; }
#history li.assistant { border-color: var(--accent); }
#history li.user { border-color: #2e9e5b; }
#history .empty { border: 0; color: var(--muted); }
.alert { border-left: 4px solid var(--bad); padding: .5rem .8rem; background: #c628281a; margin: .6rem 0 0; }
details.voice { max-width: 76rem; margin: 0 auto 2rem; padding: 0 1.2rem; }
details.voice > summary { cursor: pointer; font-weight: 600; padding: .3rem 0; }
details.voice .card { margin-top: .4rem; }
#log { padding-left: 1.2rem; }
code { font-size: .9em; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
</style>
</head>
<body data-text="starting" data-status="idle">
<header>
  <h1>Agent playground</h1>
  <p class="hint">Development mode: text goes through the same signed <code>/agent</code> webhooks Layercode sends.
  <span id="about"></span></p>
</header>
<main class="layout">
  <section class="card" aria-labelledby="chat-title">
    <h2 id="chat-title" class="visually-hidden">Conversation</h2>
    <ol id="turns" aria-live="polite"></ol>
    <p id="text-error" class="alert" role="alert" hidden></p>
    <form id="say" autocomplete="off">
      <label for="message">Message</label>
      <div class="row">
        <input id="message" name="message" placeholder="Say something, Enter to send" aria-describedby="keys">
        <button id="send" type="submit">Send</button>
        <button id="interrupt" type="button" disabled>Stop</button>
      </div>
      <div class="row">
        <button id="call" type="button">Hang up</button>
        <button id="restart" type="button">New conversation</button>
        <span id="keys" class="hint">Typing over a reply interrupts it (Esc stops it); <code>/data {"key":"value"}</code> sends a data event.</span>
      </div>
    </form>
  </section>
  <aside class="card" aria-labelledby="stored-title">
    <h2 id="stored-title">Stored history</h2>
    <p class="hint">What the model sees next turn. <span id="stored-meta"></span></p>
    <ol id="history" aria-live="polite"></ol>
  </aside>
</main>
<details class="voice" id="voice">
  <summary>Voice mode: talk to your Layercode agent</summary>
  <div class="card">
    <p class="hint">Asks <code>POST /authorize</code> for a session (set <code>LAYERCODE_API_KEY</code>) and connects with
    Layercode's browser SDK. For your agent to reach this backend, point its webhook here (through a tunnel).</p>
    <form id="connect">
      <label for="agent">Agent ID</label>
      <div class="row">
        <input id="agent" name="agent" required autocomplete="off" spellcheck="false">
        <button id="start" type="submit" disabled>Connect</button>
        <button id="disconnect" type="button" disabled>Disconnect</button>
      </div>
    </form>
    <p>Status: <strong id="status">not loaded</strong> <span id="speaking"></span></p>
    <p id="error" class="alert" role="alert" hidden></p>
    <ol id="log" aria-live="polite"></ol>
  </div>
</details>
<script type="module">
const $ = (id) => document.getElementById(id);
const random = () => Math.random().toString(36).slice(2, 10);
const words = (text) => (text.trim() ? text.trim().split(/\s+/).length : 0);
const el = (tag, className, text) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
};

// ---- Text mode: the page plays Layercode; /dev/webhook signs each webhook and hands it to /agent. ----
const turns = $("turns"), message = $("message"), send = $("send"), interrupt = $("interrupt"), call = $("call");
let conversationId, sessionId, startedAt, inCall = false, transcript = [], current = null, heard = null, busy = 0;

function showTextError(text) {
  $("text-error").textContent = text;
  $("text-error").hidden = !text;
}
function setText(state) {
  document.body.dataset.text = state;
  interrupt.disabled = !current;
  send.disabled = !inCall;
  message.disabled = !inCall;
  call.textContent = inCall ? "Hang up" : "Call again";
}
function add(node) {
  turns.append(node);
  node.scrollIntoView({ block: "nearest" });
  return node;
}
function event(text) {
  return add(el("li", "turn event", text));
}
async function json(response) {
  const answer = await response.json().catch(() => null);
  if (!response.ok) throw new Error((answer && answer.error) || "HTTP " + response.status);
  return answer;
}
function webhook(body) {
  return { session_id: sessionId, conversation_id: conversationId, ...body };
}

async function* frames(response) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const data = buffer.slice(0, end).split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("\n");
      buffer = buffer.slice(end + 2);
      if (data) yield JSON.parse(data);
    }
  }
}

/** Sends a speech turn (message or session.start) and streams the reply into a new agent bubble. */
async function speak(body) {
  const turnId = body.turn_id;
  const item = add(el("li", "turn agent"));
  item.dataset.turnId = turnId;
  item.dataset.state = "streaming";
  item.append(el("span", "who", "Agent"), el("p", "text"));
  const text = item.querySelector(".text");
  const controller = new AbortController();
  current = { turnId, item, controller, shown: "" };
  const mine = current;
  busy++;
  setText("streaming");
  try {
    const response = await fetch("./dev/webhook", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(webhook(body)),
      signal: controller.signal,
    });
    if (!response.ok) await json(response);
    for await (const frame of frames(response)) {
      if (frame.type === "response.tts") {
        mine.shown += frame.content;
        text.textContent = mine.shown;
      } else if (frame.type === "response.data") {
        item.append(el("p", "data", "data " + JSON.stringify(frame.content)));
      } else if (frame.type === "response.end") {
        item.dataset.state = "done";
      }
    }
    if (item.dataset.state === "streaming") item.dataset.state = "done";
  } catch (cause) {
    if (controller.signal.aborted) {
      item.dataset.state = "interrupted";
      item.querySelector(".who").append(el("span", "cut", " · interrupted"));
    } else {
      item.dataset.state = "failed";
      showTextError("The turn failed: " + cause.message);
    }
  } finally {
    if (current === mine) current = null;
    if (mine.shown && !mine.heard) transcript.push({ role: "assistant", text: mine.shown, timestamp: Date.now() });
    setText("waiting");
  }
  try {
    await timeline(item, turnId); // answers once the turn is stored
    await refreshHistory();
  } catch (cause) {
    showTextError("Could not read the turn's trace: " + cause.message);
  }
  busy--;
  if (!current && busy === 0) setText("idle");
}

/** Cancels the reply being streamed, as Layercode does when the caller barges in; the next message says what was shown. */
function stop() {
  if (!current) return;
  const { shown, turnId } = current;
  current.heard = true;
  heard = { previous_turn_interrupted: true, words_heard: words(shown), text_heard: shown, assistant_turn_id: turnId };
  if (shown) transcript.push({ role: "assistant", text: shown, timestamp: Date.now() });
  current.controller.abort();
  current = null;
  setText("interrupted");
}

const fmt = (ms) => (ms === undefined ? "–" : (ms < 10 ? ms.toFixed(1) : Math.round(ms)) + " ms");
function describe(step) {
  switch (step.step) {
    case "history": return ["history read", step.messages + " messages under " + step.historyKey];
    case "model": return ["model asked", step.model];
    case "token": return ["first token", ""];
    case "frame": {
      const f = step.frame;
      if (f.type === "response.tts") return ["frame", JSON.stringify(f.content)];
      if (f.type === "response.data") return ["data frame", JSON.stringify(f.content)];
      return ["end", "response.end"];
    }
    case "tool": return ["tool call", step.tool + " " + JSON.stringify(step.args) + (step.filler ? ", filler " + JSON.stringify(step.filler) : "")];
    case "tool.result": return ["tool result", step.tool + " " + JSON.stringify(step.error ? { error: step.error } : step.result)];
    case "error": return ["error", step.errorClass];
    case "stored": return ["reply stored", ""];
    default: return [step.step, ""];
  }
}

/** The turn's timeline, from GET /dev/trace (it answers once the turn is stored). */
async function timeline(item, turnId) {
  const trace = await json(await fetch("./dev/trace?turn=" + encodeURIComponent(turnId)));
  const events = trace.events.filter((e) => e.step !== "metrics");
  const metrics = trace.events.find((e) => e.step === "metrics")?.metrics;
  const box = el("div", "timeline");
  box.dataset.complete = String(trace.complete);
  const frames = events.filter((e) => e.step === "frame" && e.frame.type !== "response.end").length;
  const facts = [];
  if (metrics) {
    facts.push("first frame " + fmt(metrics.timeToFirstFrameMs), "total " + fmt(metrics.totalMs), frames + (frames === 1 ? " frame" : " frames"));
    facts.push(metrics.inputTokens === undefined && metrics.outputTokens === undefined
      ? "no token counts"
      : "tokens " + (metrics.inputTokens ?? "–") + " in / " + (metrics.outputTokens ?? "–") + " out");
    facts.push("store " + metrics.storeReads + " read" + (metrics.storeReads === 1 ? "" : "s") + ", " + metrics.storeWrites + " write" + (metrics.storeWrites === 1 ? "" : "s"));
    if (metrics.interrupted) facts.push("interrupted");
    if (metrics.errorClass) facts.push("error " + metrics.errorClass);
  } else {
    facts.push("no metrics yet (the turn is still running)");
  }
  box.append(el("p", "meta summary", facts.join(" · ")));

  const span = Math.max(1, ...events.map((e) => e.at));
  const bar = el("div", "bar");
  bar.setAttribute("aria-hidden", "true");
  for (const e of events) {
    const kind = e.step === "frame" ? "" : e.step.startsWith("tool") ? "tool" : e.step === "error" ? "error" : "mark";
    const tick = el("span", "tick " + kind);
    tick.style.left = "calc(" + (100 * e.at / span).toFixed(2) + "% - 2px)";
    tick.title = describe(e)[0] + " at " + fmt(e.at);
    bar.append(tick);
  }
  box.append(bar);

  const details = el("details");
  details.append(el("summary", "meta", "Steps (" + (events.length + 1) + ")"));
  const list = el("ol", "steps");
  for (const [at, what, detail] of [[0, "webhook received", ""], ...events.map((e) => [e.at, ...describe(e)])]) {
    const row = el("li");
    row.dataset.step = what;
    row.append(el("span", "at", fmt(at)), el("span", "", what + (detail ? ": " + detail : "")));
    list.append(row);
  }
  details.append(list);
  box.append(details);
  item.append(box);
}

async function refreshHistory() {
  const stored = await json(await fetch("./dev/history?conversation=" + encodeURIComponent(conversationId)));
  const list = $("history");
  list.replaceChildren();
  for (const m of stored.messages) {
    const row = el("li", m.role);
    const who = el("span", "who", m.role === "user" ? "user " : "assistant ");
    who.append(el("span", "id", m.turnId));
    row.append(who, el("div", "text", m.text));
    list.append(row);
  }
  if (stored.messages.length === 0) list.append(el("li", "empty", "Nothing stored yet."));
  $("stored-meta").textContent = stored.messages.length + " of at most " + stored.bounds.maxMessages + " messages.";
}

async function startCall(newConversation) {
  if (newConversation) {
    conversationId = "conv_" + random();
    turns.replaceChildren();
    transcript = [];
  }
  sessionId = "sess_" + random();
  startedAt = new Date();
  inCall = true;
  showTextError("");
  event("Call started · conversation " + conversationId);
  await speak({ type: "session.start", turn_id: "turn_" + random() });
}

async function hangUp() {
  stop();
  inCall = false;
  setText(document.body.dataset.text);
  const ended = new Date();
  try {
    const answer = await json(await fetch("./dev/webhook", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(webhook({
        type: "session.end", agent_id: "playground", started_at: startedAt.toISOString(), ended_at: ended.toISOString(),
        duration: ended - startedAt, transcript,
      })),
    }));
    event("Call ended (session.end answered " + JSON.stringify(answer) + ")");
  } catch (cause) {
    showTextError("session.end failed: " + cause.message);
  }
  transcript = [];
  heard = null;
}

async function sendData(text) {
  let data;
  try {
    data = JSON.parse(text || "{}");
  } catch {
    showTextError("/data needs JSON, e.g. /data {\"clicked\":\"yes\"}");
    return;
  }
  try {
    const answer = await json(await fetch("./dev/webhook", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(webhook({ type: "data", turn_id: "turn_" + random(), data })),
    }));
    event("data " + JSON.stringify(data) + " → " + JSON.stringify(answer));
  } catch (cause) {
    showTextError("The data event failed: " + cause.message);
  }
}

$("say").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = message.value.trim();
  if (!text || !inCall) return;
  message.value = "";
  showTextError("");
  if (text.startsWith("/data")) return void sendData(text.slice(5).trim());
  stop();
  const item = add(el("li", "turn user"));
  item.append(el("span", "who", "You"), el("p", "text", text));
  transcript.push({ role: "user", text, timestamp: Date.now() });
  const body = { type: "message", turn_id: "turn_" + random(), text };
  if (heard) body.interruption_context = heard;
  heard = null;
  void speak(body);
});
// Barge-in: typing over a reply interrupts it, as speaking over it does in a call.
message.addEventListener("input", () => {
  if (current && message.value.trim() && !message.value.startsWith("/")) stop();
});
message.addEventListener("keydown", (e) => {
  if (e.key === "Escape") stop();
});
interrupt.addEventListener("click", () => {
  stop();
  message.focus();
});
call.addEventListener("click", () => void (inCall ? hangUp() : startCall(false)));
$("restart").addEventListener("click", async () => {
  if (inCall) await hangUp();
  await startCall(true);
});

fetch("./health").then((r) => r.json()).then((h) => {
  $("about").textContent = "Model " + h.model + ", store " + h.store + ".";
}).catch(() => {});
startCall(true);

// ---- Voice mode: Layercode's browser SDK, loaded when this section is opened. ----
const agent = $("agent"), start = $("start"), disconnect = $("disconnect"), error = $("error"), log = $("log");
const STORED = "layercode-agent-id";
agent.value = new URLSearchParams(location.search).get("agent") ?? localStorage.getItem(STORED) ?? "";
if (new URLSearchParams(location.search).has("agent")) $("voice").open = true;

function setStatus(status) {
  $("status").textContent = status;
  document.body.dataset.status = status;
}
function showError(text) {
  error.textContent = text;
  error.hidden = !text;
}
function note(who, text) {
  log.append(el("li", "", who + ": " + text));
}
function idle() {
  start.disabled = false;
  disconnect.disabled = true;
}

// The SDK only tells the HTTP status text of a refused authorization: keep the backend's own message to show it.
let authorizeError = null;
async function authorize({ url, body }) {
  authorizeError = null;
  let response;
  try {
    response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  } catch (cause) {
    authorizeError = "this backend did not answer /authorize (" + cause.message + ")";
    throw cause;
  }
  if (!response.ok) {
    const answer = await response.clone().json().catch(() => null);
    const reason = answer && typeof answer.error === "string" ? answer.error : response.statusText || "refused";
    authorizeError = reason + " (HTTP " + response.status + " from /authorize)";
  }
  return response;
}

let LayercodeClient, loading;
function loadSdk() {
  loading ??= (async () => {
    setStatus("loading the SDK…");
    try {
      ({ default: LayercodeClient } = await import(".${PAGE_SDK_PATH}"));
      setStatus("disconnected");
      start.disabled = false;
    } catch (cause) {
      loading = undefined;
      setStatus("error");
      showError("Could not load the Layercode browser SDK: " + cause.message);
    }
  })();
}
$("voice").addEventListener("toggle", () => $("voice").open && loadSdk());
if ($("voice").open) loadSdk();

let client = null;
$("connect").addEventListener("submit", async (e) => {
  e.preventDefault();
  const agentId = agent.value.trim();
  if (!agentId || !LayercodeClient) return;
  localStorage.setItem(STORED, agentId);
  showError("");
  start.disabled = true;
  disconnect.disabled = false;
  client = new LayercodeClient({
    agentId,
    authorizeSessionEndpoint: "./authorize",
    authorizeSessionRequest: authorize,
    onStatusChange: setStatus,
    onConnect: ({ conversationId }) => note("session", "connected, conversation " + conversationId),
    onDisconnect: () => {
      note("session", "disconnected");
      idle();
    },
    onError: (cause) => {
      showError("Could not talk to the agent: " + (authorizeError ?? cause.message));
      idle();
    },
    onMessage: (m) => {
      const text = typeof m.content === "string" ? m.content : "";
      if (m.type === "user.transcript" && text) note("you", text);
      if (m.type === "response.text" && text) note("agent", text);
    },
    onDataMessage: (m) => note("data", JSON.stringify(m.content ?? m)),
    onUserIsSpeakingChange: (on) => ($("speaking").textContent = on ? "(you are speaking)" : ""),
    onAgentSpeakingChange: (on) => ($("speaking").textContent = on ? "(the agent is speaking)" : ""),
  });
  await client.connect();
});
disconnect.addEventListener("click", async () => {
  disconnect.disabled = true;
  await client?.disconnect();
  idle();
});
</script>
</body>
</html>
`;

/**
 * `GET /` in development mode: the playground. Text mode talks to this backend offline through `/dev/webhook` and
 * shows each turn's timeline and the stored history; voice mode talks to a Layercode agent through Layercode's
 * browser SDK (served by {@link pageSdkHandler}) and this backend's `/authorize`.
 */
export function pageHandler(c: Context): Response {
  return c.html(PAGE, 200, { "cache-control": "no-store", "x-content-type-options": "nosniff" });
}

/** The page's HTML (inline style and script included), e.g. to measure its weight. */
export function pageHtml(): string {
  return PAGE;
}

/** Layercode's browser SDK for the page: its ES module text and version. */
export interface BrowserSdk {
  version: string;
  source: string;
}

/**
 * `GET /sdk/layercode-js-sdk.js` ({@link PAGE_SDK_PATH}): the browser ES module of `@layercode/js-sdk`, as the local
 * entry loads it from the installed package (read once, on first request), revalidated by its version.
 */
export function pageSdkHandler(load: () => Promise<BrowserSdk>): (c: Context) => Promise<Response> {
  let sdk: Promise<BrowserSdk> | undefined;
  return async (c) => {
    sdk ??= load();
    sdk.catch(() => (sdk = undefined));
    const { source, version } = await sdk;
    const etag = `"layercode-js-sdk-${version}"`;
    const headers = { etag, "cache-control": "no-cache", "x-content-type-options": "nosniff" };
    if (c.req.header("if-none-match") === etag) return c.body(null, 304, headers);
    return c.body(source, 200, { ...headers, "content-type": "text/javascript; charset=utf-8" });
  };
}

/** Options of {@link addDevelopmentPage}. */
export interface DevelopmentPageOptions extends DevelopmentRoutesOptions {
  /** Reads the installed `@layercode/js-sdk` for voice mode. */
  loadSdk: () => Promise<BrowserSdk>;
}

/**
 * Adds the development playground to an app made by `createApp`: `GET /` ({@link pageHandler}), the SDK
 * ({@link pageSdkHandler}) and the `/dev/*` routes (handlers/dev.ts), all for loopback clients of a development app only. Only the local
 * server entries call it, in development mode, with a loader that reads the installed `@layercode/js-sdk`
 * (146 KB gzipped: never part of an edge bundle).
 * @example
 * const app = createApp({ development });
 * if (development) addDevelopmentPage(app, { loadSdk: loadBrowserSdk, peerAddress });
 */
export function addDevelopmentPage<T extends Hono>(app: T, options: DevelopmentPageOptions): T {
  const local = developmentOnly(app, options.peerAddress);
  app.get("/", local, pageHandler);
  app.get(PAGE_SDK_PATH, local, pageSdkHandler(options.loadSdk));
  return addDevelopmentRoutes(app, options);
}
