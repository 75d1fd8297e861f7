/** The playground's markup: the page's `<body>` before its script (text mode, the timeline, voice mode). */
// String.raw: backslashes stay as written ("\n\n" stays an escape in the browser's JavaScript).
export const PAGE_BODY = String.raw`<header>
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
`;
