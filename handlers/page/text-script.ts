/** The playground's text mode, in the browser: webhooks through `/dev/webhook`, the turn timeline, stored history. */
// String.raw: backslashes stay as written ("\n\n" stays an escape in the browser's JavaScript).
export const TEXT_SCRIPT = String.raw`const $ = (id) => document.getElementById(id);
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

`;
