/** The playground's voice mode, in the browser: Layercode's browser SDK, loaded when its section is opened. */
import { PAGE_SDK_PATH } from "./sdk-path.ts";
// String.raw: backslashes stay as written ("\n\n" stays an escape in the browser's JavaScript).
export const VOICE_SCRIPT = String.raw`// ---- Voice mode: Layercode's browser SDK, loaded when this section is opened. ----
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
`;
