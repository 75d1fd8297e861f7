import type { Context, Hono } from "hono";

/** Where the page loads Layercode's browser SDK from, relative to the page. */
export const PAGE_SDK_PATH = "/sdk/layercode-js-sdk.js";

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Talk to your agent</title>
<link rel="icon" href="data:,">
<style>
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
  main { max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }
  form { display: flex; gap: .5rem; flex-wrap: wrap; align-items: end; }
  label { display: flex; flex-direction: column; flex: 1 1 16rem; font-weight: 600; }
  input, button { font: inherit; padding: .4rem .7rem; }
  #error { border-left: 4px solid #c62828; padding: .5rem .8rem; background: #c628281a; }
  #log { padding-left: 1.2rem; }
  .hint { color: GrayText; font-size: .9rem; }
</style>
</head>
<body data-status="loading">
<main>
  <h1>Talk to your agent</h1>
  <p class="hint">Development page of this backend: it asks <code>POST /authorize</code> for a session and connects
  with Layercode's browser SDK. For your agent to reach this backend, point its webhook here (through a tunnel when
  it runs locally).</p>
  <form id="connect">
    <label>Agent ID <input id="agent" name="agent" required autocomplete="off" spellcheck="false"></label>
    <button id="start" type="submit" disabled>Connect</button>
    <button id="stop" type="button" disabled>Disconnect</button>
  </form>
  <p>Status: <strong id="status">loading the SDK…</strong> <span id="speaking"></span></p>
  <p id="error" role="alert" hidden></p>
  <ol id="log" aria-live="polite"></ol>
</main>
<script type="module">
const $ = (id) => document.getElementById(id);
const agent = $("agent"), start = $("start"), stop = $("stop"), error = $("error"), log = $("log");
const STORED = "layercode-agent-id";
agent.value = new URLSearchParams(location.search).get("agent") ?? localStorage.getItem(STORED) ?? "";

function setStatus(status) {
  $("status").textContent = status;
  document.body.dataset.status = status;
}
function showError(message) {
  error.textContent = message;
  error.hidden = !message;
}
function note(who, text) {
  const item = document.createElement("li");
  item.textContent = who + ": " + text;
  log.append(item);
}
function idle() {
  start.disabled = false;
  stop.disabled = true;
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

let LayercodeClient;
try {
  ({ default: LayercodeClient } = await import(".${PAGE_SDK_PATH}"));
  setStatus("disconnected");
  start.disabled = false;
} catch (cause) {
  setStatus("error");
  showError("Could not load the Layercode browser SDK: " + cause.message);
}

let client = null;
$("connect").addEventListener("submit", async (event) => {
  event.preventDefault();
  const agentId = agent.value.trim();
  if (!agentId || !LayercodeClient) return;
  localStorage.setItem(STORED, agentId);
  showError("");
  start.disabled = true;
  stop.disabled = false;
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
    onMessage: (message) => {
      const text = typeof message.content === "string" ? message.content : "";
      if (message.type === "user.transcript" && text) note("you", text);
      if (message.type === "response.text" && text) note("agent", text);
    },
    onDataMessage: (message) => note("data", JSON.stringify(message.content ?? message)),
    onUserIsSpeakingChange: (on) => ($("speaking").textContent = on ? "(you are speaking)" : ""),
    onAgentSpeakingChange: (on) => ($("speaking").textContent = on ? "(the agent is speaking)" : ""),
  });
  await client.connect();
});
stop.addEventListener("click", async () => {
  stop.disabled = true;
  await client?.disconnect();
  idle();
});
</script>
</body>
</html>
`;

/**
 * `GET /` in development mode: a small page to talk to an agent from the browser, through Layercode's real browser
 * SDK (served by {@link pageSdkHandler}) and this backend's `/authorize`. It shows the session's status and errors.
 */
export function pageHandler(c: Context): Response {
  return c.html(PAGE, 200, { "cache-control": "no-store", "x-content-type-options": "nosniff" });
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

/**
 * Adds the development page to an app: `GET /` ({@link pageHandler}) and the SDK ({@link pageSdkHandler}). Only the
 * local server entries call it, in development mode, with a loader that reads the installed `@layercode/js-sdk`
 * (146 KB gzipped: never part of an edge bundle).
 * @example
 * const app = createApp({ development });
 * if (development) addDevelopmentPage(app, loadBrowserSdk);
 */
export function addDevelopmentPage<T extends Hono>(app: T, load: () => Promise<BrowserSdk>): T {
  app.get("/", pageHandler);
  app.get(PAGE_SDK_PATH, pageSdkHandler(load));
  return app;
}
