// Renders bench/results.json as BENCHMARKS.md and bench/chart.svg. Only bench/run.mjs calls these: the outputs are
// regenerated on every run and never edited by hand.
import { existsSync, readFileSync } from "node:fs";

/**
 * The profile of ours before the CPU work of issue 14 (bench/profile-before.json, measured once with this file's
 * section 6 on the code before it, and committed): what section 6 compares each run's profile with.
 */
function profileBefore() {
  const url = new URL("./profile-before.json", import.meta.url);
  return existsSync(url) ? JSON.parse(readFileSync(url, "utf8")) : undefined;
}

const LABEL = {
  limit: "limit (Web-standard, no checks)",
  ours: "ours (createApp)",
  official: "official SDK path (Hono + @layercode/node-server-sdk)",
  streamsse: "Hono streamSSE (reference)",
  "split-hono": "split: limit behind a Hono route",
  "split-verify": "split: limit + verifySignature",
  "split-async": "split: limit, frames from the async generator",
  "split-nullstore": "split: ours on a store that keeps nothing",
  "split-novoice": "split: ours with VOICE_SAFE_OUTPUT=false",
};
const SHORT = { limit: "limit", ours: "ours", official: "official SDK", streamsse: "Hono streamSSE" };
const COLOR = { limit: "#9aa5b1", ours: "#2f80ed", official: "#f2994a", streamsse: "#6fcf97" };
const TITLE = { bun: "Bun", deno: "Deno" };

const fmt = (value, digits = 0) => (value === undefined || value === null || Number.isNaN(value) ? "–" : value.toFixed(digits));
const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}×` : "–");
const mb = (bytes) => (bytes ? `${(bytes / 2 ** 20).toFixed(0)} MB` : "–");
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const escape = (text) => String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The three-way comparison (plus streamSSE): grouped bars of requests per second per runtime. */
export function renderChart(results) {
  const runtimes = Object.keys(results.turns ?? {});
  const variants = ["limit", "ours", "official", "streamsse"];
  const width = 720, height = 360, left = 70, right = 20, top = 50, bottom = 70;
  const plotW = width - left - right, plotH = height - top - bottom;
  const values = runtimes.flatMap((r) => variants.map((v) => results.turns[r].variants?.[v]?.reqPerSec ?? 0));
  const max = Math.max(1, ...values);
  const step = niceStep(max / 5);
  const yMax = Math.ceil(max / step) * step;
  const y = (value) => top + plotH - (value / yMax) * plotH;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">Full signed message turns per second (higher is better)</text>`,
    `<text x="${width / 2}" y="38" text-anchor="middle" fill="#555">${escape(`autocannon and the server share ${results.machine.cores} cores; ${results.settings.connections} connections; ${results.date.slice(0, 10)}`)}</text>`,
  ];
  for (let value = 0; value <= yMax; value += step) {
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${y(value)}" y2="${y(value)}" stroke="#e5e7eb"/>`);
    parts.push(`<text x="${left - 8}" y="${y(value) + 4}" text-anchor="end" fill="#555">${value.toLocaleString("en-US")}</text>`);
  }
  parts.push(`<text transform="translate(16 ${top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#555">requests / s</text>`);
  const groupW = plotW / Math.max(1, runtimes.length);
  const barW = Math.min(60, (groupW * 0.8) / variants.length);
  runtimes.forEach((runtime, g) => {
    const x0 = left + g * groupW + (groupW - barW * variants.length) / 2;
    variants.forEach((variant, i) => {
      const value = results.turns[runtime].variants?.[variant]?.reqPerSec;
      if (value === undefined) return;
      const x = x0 + i * barW;
      parts.push(`<rect x="${x + 3}" y="${y(value)}" width="${barW - 6}" height="${top + plotH - y(value)}" fill="${COLOR[variant]}"><title>${escape(`${TITLE[runtime] ?? runtime} ${SHORT[variant]}: ${value.toFixed(0)} req/s`)}</title></rect>`);
      parts.push(`<text x="${x + barW / 2}" y="${y(value) - 5}" text-anchor="middle" font-size="11">${value.toFixed(0)}</text>`);
    });
    parts.push(`<text x="${left + g * groupW + groupW / 2}" y="${top + plotH + 20}" text-anchor="middle" font-size="13" font-weight="600">${escape(`${TITLE[runtime] ?? runtime} ${results.turns[runtime].version?.split(" ")[1] ?? ""}`)}</text>`);
  });
  parts.push(`<line x1="${left}" x2="${width - right}" y1="${top + plotH}" y2="${top + plotH}" stroke="#333"/>`);
  const legendY = height - 22;
  let legendX = left;
  for (const variant of variants) {
    parts.push(`<rect x="${legendX}" y="${legendY - 10}" width="12" height="12" fill="${COLOR[variant]}"/>`);
    parts.push(`<text x="${legendX + 17}" y="${legendY}">${escape(SHORT[variant])}</text>`);
    legendX += 34 + SHORT[variant].length * 7;
  }
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}

function niceStep(raw) {
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

function table(header, rows) {
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map((h, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

/** BENCHMARKS.md. */
/** Section 6's "profile top, before/after": the committed profile before issue 14's CPU work beside this run's. */
function profileComparison(results) {
  const before = profileBefore();
  if (!before) return [];
  const out = [
    "### Profile top, before and after (issue 14, CPU per turn)",
    "",
    `Before: ${before.note} After: this run's profiles above. Self time, the ten hottest functions of each; the full turn's CPU per turn ` +
      "(section 1) is what the target counts, the profile says where it goes.",
    "",
  ];
  const cell = (r) => (r ? `\`${r.fn}\` ${r.location && r.location !== "[native code]" && r.location !== "[native]" ? `(\`${r.location}\`) ` : ""}${r.selfPercent}%` : "");
  for (const [runtime, then] of Object.entries(before.profile ?? {})) {
    const now = results.profile?.[runtime];
    if (!then?.top) continue;
    const turns = before.turns?.[runtime];
    if (turns) {
      out.push(
        `${TITLE[runtime] ?? runtime} before: server CPU per turn ours ${fmt(turns.ours)} µs, official SDK path ${fmt(turns.official)} µs, ` +
          `limit ${fmt(turns.limit)} µs (${ratio(turns.ours, turns.official)} the official path's CPU) in the same run.`,
        "",
      );
    }
    const rows = [];
    for (let i = 0; i < 10; i++) rows.push([i + 1, cell(then.top[i]), cell(now?.top?.[i])]);
    out.push(table(["#", `${TITLE[runtime] ?? runtime} before (${then.tool})`, now?.top ? "after (this run)" : "after: no profile in this run"], rows), "");
  }
  return out;
}

export function renderMarkdown(results) {
  const { machine, settings } = results;
  const out = [
    "# Benchmarks",
    "",
    "<!-- Generated by `npm run bench` (bench/run.mjs) from bench/results.json: never edit by hand. -->",
    "",
    `Measured ${results.date.replace("T", " ").slice(0, 16)} UTC on this project's machine: ${machine.cores} cores (${machine.cpu}), ` +
      `Node ${machine.node} (load generator), ${[machine.bun && `Bun ${machine.bun}`, machine.deno && `Deno ${machine.deno.split(" ")[1]}`].filter(Boolean).join(", ")}. ` +
      `Load average ${machine.loadAverageAtStart?.map((l) => l.toFixed(2)).join(" ")} at the start. Run time ${results.durationSeconds} s${results.quick ? " (--quick)" : ""}.`,
    "",
  ];

  if (results.targets?.length) {
    out.push("## Targets (issue 6)", "");
    out.push(table(["target", "where", "measured", "wanted", "result"], results.targets.map((t) => [
      t.target + (t.note ? ` <br><sub>${t.note}</sub>` : ""), t.scope, t.measured, t.threshold, t.pass ? "**PASS**" : "**MISS**",
    ])));
    out.push("");
  }

  if (results.turns) {
    out.push(
      "## 1. Full signed `message` turns",
      "",
      "![turns per second: limit, ours, official SDK path, Hono streamSSE, on Bun and Deno](bench/chart.svg)",
      "",
      `autocannon (Node, its own process) on loopback, ${settings.connections} connections, ${settings.rounds} interleaved rounds of ` +
        `${Math.round(settings.duration / settings.rounds)} s per variant (median of the rounds), after a 1 s warm-up. Every request is a fresh ` +
        "1 KB `message` webhook (new turn and conversation) with a fresh `layercode-signature` (Node's HMAC). Every variant answers the " +
        "same 22 frames (2,274 bytes of SSE): 1 `response.data` (`{\"isThinking\":false}`), 20 `response.tts` (the scripted model's 20 deltas), " +
        "1 `response.end`. Each variant is checked before the load: frames identical to the fixture, and for ours and the official path a " +
        "bad signature gets 401. Time to first frame (TTFF): a separate sequential client (node:http, one keep-alive connection), " +
        `${settings.ttffRequests} requests on the idle server, from sending the request to the first body chunk. Server CPU: the server ` +
        "process's user+system time per request (/proc). Ours runs with `LOG_LEVEL=warn` (no per-turn info line).",
      "",
    );
    for (const [runtime, turn] of Object.entries(results.turns)) {
      const v = turn.variants;
      out.push(`### ${TITLE[runtime] ?? runtime} (${turn.version})`, "");
      out.push(table(
        ["variant", "req/s", "vs limit", "vs official", "latency p50", "latency p99", "TTFF p50", "TTFF p99", "server CPU / turn", "cores: server / client", "server RSS after", "non-2xx / errors"],
        Object.entries(v).map(([name, r]) => [
          LABEL[name] ?? name,
          fmt(r.reqPerSec),
          ratio(r.reqPerSec, v.limit?.reqPerSec),
          ratio(r.reqPerSec, v.official?.reqPerSec),
          `${fmt(r.latencyP50)} ms`,
          `${fmt(r.latencyP99)} ms`,
          `${fmt(r.ttffP50, 3)} ms`,
          `${fmt(r.ttffP99, 3)} ms`,
          `${fmt(r.serverCpuUsPerRequest)} µs`,
          `${fmt(r.serverCores, 2)} / ${fmt(r.clientCores, 2)}`,
          mb(r.serverRssAfter),
          `${r.non2xx} / ${r.errors}`,
        ]),
      ));
      const a = turn.attribution;
      if (a && a.parts.length > 1) {
        out.push("", `Where ours' server CPU goes: ${fmt(a.oursUs)} µs per turn against the limit's ${fmt(a.limitUs)} µs` +
          (a.officialUs ? ` and the official path's ${fmt(a.officialUs)} µs` : "") + `, so ${fmt(a.extraUs)} µs more than the limit, split by the split variants ` +
          "(each differs from its base in one thing; differences of a few µs are within the noise):", "");
        out.push(table(["cost", "measured as", "server CPU / turn", "share of ours"], a.parts.map((p) => [p.what, p.from, `${fmt(p.us)} µs`, `${fmt((100 * p.us) / a.oursUs)}%`])));
      }
      if ((v.limit?.clientCores ?? 0) > 0.9) {
        out.push("", `The limit is bounded by the load generator here (autocannon used ${fmt(v.limit.clientCores, 2)} cores against the server's ` +
          `${fmt(v.limit.serverCores, 2)}): its real capacity is higher, so throughput ratios to it flatter the other variants; ` +
          "the server CPU per turn compares the work itself.");
      }
      const background = Math.max(...Object.values(v).map((r) => r.backgroundCores ?? 0));
      out.push("", `Rounds per variant (req/s): ${Object.entries(v).map(([name, r]) => `${name} ${r.rounds.map((x) => x.reqPerSec.toFixed(0)).join(" / ")}`).join("; ")}. ` +
        `Most CPU used by other processes during a round: ${background.toFixed(2)} cores.`, "");
    }
  }

  if (results.pieces) {
    out.push("### The pure-JavaScript pieces of one turn, in process (mitata)", "", "No sockets, so much less noise than under load: the same workload (1 KB body, 20 deltas, 22 frames, a fresh conversation) per call.", "");
    const names = [...new Set(Object.values(results.pieces).flatMap((r) => r.results.map((x) => x.name)))];
    const runtimes = Object.keys(results.pieces);
    out.push(table(["piece (per turn)", ...runtimes.map((r) => `${TITLE[r] ?? r} p50`), ...runtimes.map((r) => `${TITLE[r] ?? r} avg`)], names.map((name) => {
      const cell = (runtime, key) => {
        const x = results.pieces[runtime].results.find((y) => y.name === name);
        return !x ? "–" : x.skipped ? "skipped" : `${fmt(x[key] / 1000, 1)} µs`;
      };
      return [name, ...runtimes.map((r) => cell(r, "p50Ns")), ...runtimes.map((r) => cell(r, "avgNs"))];
    })), "");
  }

  if (results.signature) {
    out.push("## 2. Signature verification per request (mitata)", "", "Key import cached; `ours` is `verifySignature()` (header parse, window check, WebCrypto `verify`); the bare WebCrypto call and the SDK's `node:crypto` HMAC with `===` for comparison.", "");
    const rows = [];
    for (const [runtime, run] of Object.entries(results.signature)) {
      for (const r of run.results) rows.push([`${TITLE[runtime] ?? runtime}`, r.size, r.name, `${fmt(r.avgNs / 1000, 1)} µs`, `${fmt(r.p50Ns / 1000, 1)} µs`, `${fmt(r.p99Ns / 1000, 1)} µs`]);
    }
    out.push(table(["runtime", "body", "verification", "avg", "p50", "p99"], rows), "");
  }

  if (results.store) {
    out.push(
      "## 3. Store cost per turn",
      "",
      "One turn's history work as the app does it (`history.begin` with the user's message, `history.finish` with the reply) on a conversation " +
        "that already had N messages (default bounds: 50 messages, 32 KB), operations counted by a wrapper around `get`/`set`/`delete`. " +
        "Redis and the local Upstash REST server (tests/support, over the same Redis) are on loopback.",
      "",
    );
    const rows = [];
    const skipped = [];
    for (const [runtime, run] of Object.entries(results.store)) {
      for (const s of run.stores) {
        if (s.skipped) {
          skipped.push(`- ${TITLE[runtime] ?? runtime}, ${s.name}: skipped: ${s.skipped}`);
          continue;
        }
        for (const l of s.lengths) {
          rows.push([TITLE[runtime] ?? runtime, s.name, l.messages, `${l.storedMessages} msgs, ${kb(l.storedBytes)}`,
            `${l.opsPerTurn.get} get, ${l.opsPerTurn.set} set, ${l.opsPerTurn.delete} delete`, `${fmt(l.p50Us)} µs`, `${fmt(l.meanUs)} µs`, `${fmt(l.p99Us)} µs`]);
        }
      }
    }
    out.push(table(["runtime", "store", "history (messages)", "stored document", "operations / turn", "p50", "mean", "p99"], rows), "");
    if (skipped.length) out.push(...skipped, "");
  }

  if (results.coldStart || results.bundles) {
    out.push("## 4. Cold start and edge bundles", "");
    if (results.coldStart) {
      out.push(`Process start to the first 200, median of ${settings.coldRuns} runs after one discarded run (which fills the runtime's compile cache).`, "");
      const rows = [];
      for (const [runtime, subjects] of Object.entries(results.coldStart)) {
        for (const [name, r] of Object.entries(subjects)) {
          rows.push([TITLE[runtime] ?? runtime, name, r.error ? `error: ${r.error}` : `${fmt(r.medianMs)} ms`, r.error ? "" : `${fmt(r.minMs)}–${fmt(r.maxMs)} ms`]);
        }
      }
      out.push(table(["runtime", "what", "median", "range"], rows), "");
    }
    if (results.bundles) {
      out.push("esbuild, ES module, platform neutral; Workers with conditions workerd, worker, browser; Vercel with edge-light, browser (bench/bundle-size.mjs).", "");
      out.push(table(["bundle", "entry", "raw", "minified", "minified + gzip"], Object.entries(results.bundles).map(([name, b]) =>
        b.missing || b.error ? [name, b.entry, b.missing ?? `error: ${b.error}`, "", ""] : [name, b.entry, kb(b.rawBytes), kb(b.minifiedBytes), kb(b.gzipBytes)]
      )), "");
    }
    if (results.providerBundles) {
      out.push("The Workers bundle with each set of model providers: the three entries (one provider each, chosen at build time), entries holding several, none; and the AI SDK adapter with `ai`, which no Workers bundle holds.", "");
      out.push(table(["bundle", "minified", "minified + gzip"], Object.entries(results.providerBundles).map(([name, b]) =>
        b.error ? [name, `error: ${b.error}`, ""] : [name, kb(b.minifiedBytes), kb(b.gzipBytes)]
      )), "");
    }
  }

  if (results.memory) {
    out.push(
      "## 5. Memory with stored conversations",
      "",
      "A child process per runtime and mode fills conversations of 4 turns each (the load test's ~1 KB user text and 20-delta reply): " +
        "`ours` through `createHistory(createMemoryStore())` with the defaults (10,000 conversations at most), `official` into an " +
        "unbounded `sessionMessages[id]` as the SDK example does. Read after a full GC at each step.",
      "",
    );
    const rows = [];
    for (const [runtime, modes] of Object.entries(results.memory)) {
      for (const [mode, r] of Object.entries(modes)) {
        rows.push([TITLE[runtime] ?? runtime, mode, mb(r.rssBaseline), ...r.steps.map((s) => `${mb(s.rss)} (heap ${mb(s.heapUsed)})`)]);
      }
    }
    const steps = Object.values(results.memory)[0]?.ours?.steps ?? [];
    out.push(table(["runtime", "history", "RSS at start", ...steps.map((s) => `RSS at ${s.conversations.toLocaleString("en-US")}`)], rows), "");
  }

  if (results.profile) {
    out.push("## 6. Where ours spends its time (sampling profilers under the same load)", "");
    for (const [runtime, p] of Object.entries(results.profile)) {
      if (p.error) {
        out.push(`${TITLE[runtime] ?? runtime}: no profile (${p.error}).`, "");
        continue;
      }
      out.push(
        `### ${TITLE[runtime] ?? runtime}: \`${p.tool}\` (${fmt(p.reqPerSecUnderProfiler)} req/s under the profiler)`,
        "",
        table(["self time by place", "share"], p.selfByPlace.map((r) => [`\`${r.place}\``, `${r.selfPercent}%`])),
        "",
        table(["hottest functions (self time)", "where", "share"], p.top.slice(0, 10).map((r) => [`\`${r.fn}\``, `\`${r.location}\``, `${r.selfPercent}%`])),
        "",
      );
    }
    out.push(...profileComparison(results));
  }
  if (results.page) {
    const p = results.page;
    out.push(
      "## 7. The development playground's page",
      "",
      "`GET /` in development mode (handlers/page.ts), measured by bench/page-weight.mjs" + (p.date ? ` on ${p.date.slice(0, 10)}` : "") +
        ": one HTML document with its style and script inline, no framework and no other asset (plus `/health` for the model's name). " +
        "Each text turn then makes three requests (the webhook, its trace, the stored history). Layercode's browser SDK loads only when voice mode is opened.",
      "",
      table(["what", "bytes", "gzip -9"], [
        ["page: HTML, inline CSS and JavaScript", kb(p.htmlBytes), kb(p.htmlGzipBytes)],
        ["of which the script", kb(p.scriptBytes), "–"],
        ["of which the style", kb(p.styleBytes), "–"],
        [`@layercode/js-sdk ${p.sdkVersion} (voice mode only)`, kb(p.sdkBytes), kb(p.sdkGzipBytes)],
      ]),
      "",
    );
  }
  if (results.remote) out.push(...renderRemote(results.remote));
  return out.join("\n");
}

/** Section 8: the model's start and the first frame when the store is one network round trip away (bench/remote.mjs). */
function renderRemote(remote) {
  const runs = Object.entries(remote);
  const first = runs[0]?.[1];
  if (!first) return [];
  const out = [
    "## 8. Remote store: webhook to model request and first frame",
    "",
    `Every store operation one ${fmt(first.rttMs)} ms round trip away. Ours on the memory store behind a wrapper that makes each operation take ` +
      `${fmt(first.rttMs)} ms (half before it runs, half after), and on the real Redis and Upstash stores behind a TCP proxy (bench/latency-proxy.mjs) ` +
      `that passes each chunk on ${fmt(first.rttMs / 2, 1)} ms after it arrived, in each direction (the Upstash store talks to tests/support/upstash-server.ts, ` +
      "Upstash's REST protocol over the same Redis, in its own process; connection set-up is not delayed); the official SDK path with its in-memory " +
      "history for reference. The app's defaults otherwise: replay protection is on for these atomic stores, and its key goes to the same store. " +
      `A sequential client sends signed 1 KB \`message\` webhooks, conversations of ${first.turnsPerConversation} turns, ${first.turns} measured turns per row ` +
      `after ${first.warmUpTurns} warm-up turns, and waits after each turn until the server has no store operation in flight. The server notes the ` +
      "webhook's arrival at its fetch handler, the moment the scripted model is called and every store operation (sent back in the `response.data` " +
      "frame, in this bench mode only); the first data frame is timed at the client, from sending the request. Round trips before the model: the " +
      "longest chain of operations that ran one after the other and ended before the model was asked (operations that overlap count once). " +
      (Math.floor(0.99 * first.turns) >= first.turns - 1 ? `With ${first.turns} turns a row, its p99 is its slowest turn.` : ""),
    "",
  ];
  const rows = [];
  for (const [runtime, run] of runs) {
    for (const s of Object.values(run.subjects)) {
      if (s.skipped) {
        rows.push([TITLE[runtime] ?? runtime, s.label, `skipped: ${s.skipped}`, "", "", "", "", "", ""]);
        continue;
      }
      const trips = Object.entries(s.roundTrips).map(([n, turns]) => `${n} (${turns} turns)`).join(", ");
      const ops = `${fmt(s.opsPerTurn.get, 1)} get, ${fmt(s.opsPerTurn.set, 1)} set`;
      rows.push([
        TITLE[runtime] ?? runtime,
        s.label,
        `${fmt(s.modelAskedMs.p50, 2)} ms`,
        `${fmt(s.modelAskedMs.p99, 2)} ms`,
        `${fmt(s.firstFrameMs.p50, 2)} ms`,
        `${fmt(s.firstFrameMs.p99, 2)} ms`,
        trips,
        s.pathBeforeModel.map((p) => p.path + (s.pathBeforeModel.length > 1 ? ` (${p.turns})` : "")).join("; "),
        s.storeOpMs ? `${ops}; ${fmt(s.storeOpMs.p50, 1)} ms p50` : "none",
      ]);
    }
  }
  out.push(table(["runtime", "subject", "model asked p50", "p99", "first data frame p50", "p99", "round trips before the model", "store operations before the model", "store operations / turn; one operation p50"], rows), "");
  const background = runs.flatMap(([, run]) => Object.values(run.subjects).map((s) => s.backgroundCoresBefore)).filter((c) => c !== undefined);
  if (background.length) out.push(`Most CPU used by other processes just before a row's measured turns: ${Math.max(...background).toFixed(2)} cores.`, "");
  return out;
}
