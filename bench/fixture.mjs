// The workload every benchmark shares, in plain JavaScript so that the Node load generator (bench/run.mjs) and the
// Bun and Deno servers (bench/servers/*.ts) import the very same bytes.

/** The webhook secret of every benchmark server. */
export const SECRET = "bench_webhook_secret_0123456789";

/** Size of every webhook body, in bytes. */
export const BODY_BYTES = 1024;

/** A turn id of the fixed length the load generator sends; the pre-encoded baselines answer with this one. */
export const FIXED_TURN_ID = turnId(0);

/** What the scripted model sends before speaking: one `response.data` frame, as the SDK example does. */
export const DATA_CONTENT = { isThinking: false };

/** The scripted model's 20 text deltas (about 30 bytes each, like LLM deltas of a few words). */
export const DELTAS = Array.from(
  { length: 20 },
  (_, i) => `Scripted delta ${String(i + 1).padStart(2, "0")} of the reply. `,
);

/**
 * The 22 frames of one turn, in order: 1 `response.data` ({@link DATA_CONTENT}), 20 `response.tts` (one per
 * delta), 1 `response.end`. Each is the compact JSON that follows `data: `.
 * @param {string} turn
 * @returns {string[]}
 */
export function frameJson(turn) {
  return [
    JSON.stringify({ type: "response.data", content: DATA_CONTENT, turn_id: turn }),
    ...DELTAS.map((content) => JSON.stringify({ type: "response.tts", content, turn_id: turn })),
    JSON.stringify({ type: "response.end", turn_id: turn }),
  ];
}

/**
 * The 22 frames as SSE text (`data: <json>\n\n` each).
 * @param {string} turn
 * @returns {string[]}
 */
export function frames(turn) {
  return frameJson(turn).map((json) => `data: ${json}\n\n`);
}

/**
 * A turn id of fixed length from a counter.
 * @param {number} n
 */
export function turnId(n) {
  return `turn_${String(n).padStart(12, "0")}`;
}

/**
 * A `message` webhook body of exactly {@link BODY_BYTES} bytes (ASCII), with its own turn and, unless `conversation`
 * is given, its own session and conversation: every request starts a fresh conversation.
 * @param {number} n a counter, unique per request
 * @param {string} [run] a prefix that keeps runs apart
 * @param {string} [conversation] the conversation (and session) id's suffix, for turns of one conversation
 * @returns {string}
 */
export function messageBody(n, run = "r0", conversation = `${run}_${String(n).padStart(12, "0")}`) {
  const id = conversation;
  const head = { type: "message", session_id: `sess_${id}`, conversation_id: `conv_${id}`, turn_id: turnId(n) };
  const empty = JSON.stringify({ ...head, text: "" });
  const filler = "Tell me about the weather and my calendar for tomorrow, please. ";
  const pad = BODY_BYTES - empty.length;
  if (pad < 0) throw new Error("messageBody: the ids alone are longer than BODY_BYTES");
  const text = filler.repeat(Math.ceil(pad / filler.length)).slice(0, pad);
  return JSON.stringify({ ...head, text });
}

/**
 * The in-process model of the benchmarks: one data chunk, then the 20 deltas, with no delay, so that only the
 * server's own work is measured. Implements the app's `ModelProvider` (llm/types.ts).
 */
export const scriptedModel = {
  name: "scripted",
  model: "22-frames",
  async *stream() {
    yield { data: DATA_CONTENT };
    for (const delta of DELTAS) yield delta;
  },
};
