/**
 * Sends signed Layercode webhooks to a backend and prints the streamed frames as they arrive.
 *
 *   npm run simulate -- "Hello there"            (Bun)     deno task simulate "Hello there"   (Deno)
 *   npm run simulate -- --start --conversation c1 "What did I just say?"
 *
 * Options: --url URL (default http://127.0.0.1:$PORT/agent), --start (send session.start first),
 * --conversation ID, --turn ID, --secret S (default $LAYERCODE_WEBHOOK_SECRET, else the development secret).
 */
import process from "node:process";
import { DEVELOPMENT_WEBHOOK_SECRET } from "../lib/config.ts";
import { signWebhook } from "../lib/signature.ts";
import { readFrames } from "../lib/sse.ts";

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at >= 0 ? args.splice(at, 2)[1] : undefined;
};
const flag = (name: string): boolean => {
  const at = args.indexOf(name);
  if (at >= 0) args.splice(at, 1);
  return at >= 0;
};

const url = option("--url") ?? `http://127.0.0.1:${process.env.PORT || 8787}/agent`;
const secret = option("--secret") ?? process.env.LAYERCODE_WEBHOOK_SECRET?.split(",")[0]?.trim() ??
  DEVELOPMENT_WEBHOOK_SECRET;
const conversationId = option("--conversation") ?? `sim_${crypto.randomUUID()}`;
const turnId = option("--turn") ?? `turn_${crypto.randomUUID()}`;
const start = flag("--start");
const text = args.join(" ").trim();
if (!text && !start) {
  console.error('usage: simulate [--url URL] [--start] [--conversation ID] [--turn ID] [--secret S] "text"');
  process.exit(2);
}

async function send(body: Record<string, unknown>): Promise<void> {
  const raw = JSON.stringify(body);
  const started = performance.now();
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "layercode-signature": await signWebhook(raw, secret) },
    body: raw,
  });
  console.log(`> ${body.type} → ${response.status}`);
  if (!response.ok || !response.body || !response.headers.get("content-type")?.startsWith("text/event-stream")) {
    console.log(await response.text());
    if (!response.ok) process.exitCode = 1;
    return;
  }
  let first: number | undefined;
  for await (const frame of readFrames(response.body)) {
    const at = performance.now() - started;
    first ??= at;
    const shown = frame.type === "response.end" ? "" : ` ${JSON.stringify(frame.content)}`;
    console.log(`  [${at.toFixed(1).padStart(7)} ms] ${frame.type}${shown}`);
  }
  const total = performance.now() - started;
  console.log(`  first frame ${first?.toFixed(1) ?? "-"} ms, total ${total.toFixed(1)} ms`);
}

const ids = { session_id: `sess_${crypto.randomUUID()}`, conversation_id: conversationId };
if (start) await send({ type: "session.start", ...ids, turn_id: `turn_${crypto.randomUUID()}` });
if (text) await send({ type: "message", ...ids, turn_id: turnId, text });
