/** The playground's stylesheet (the page's `<style>`), light and dark. */
// String.raw: backslashes stay as written ("\n\n" stays an escape in the browser's JavaScript).
export const PAGE_STYLE = String.raw`:root { color-scheme: light dark; --fg: #1d2330; --muted: #5c6575; --line: #d9dee7; --bg: #f6f7f9; --card: #fff;
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
`;
