/**
 * The voice sanitizer's cost per character on adversarial input, from 10 KB to 1 MB, streamed in 50-character deltas
 * as a model sends them: text built to keep the sanitizer undecided (one line of `- `, the case that took 2.6 s for
 * 200,000 characters when held-back text was unbounded; link targets that never close; punctuation after a URL; runs
 * of marks), beside ordinary Markdown. Work is linear when the cost per character stays flat: PASS when the 1 MB cost
 * per character is within FLAT_RATIO of the 10 KB one, MISS otherwise.
 *
 *   bun bench/voice.bench.ts          deno run bench/voice.bench.ts
 */
import { createVoiceSanitizer, MAX_UNDECIDED } from "../lib/voice.ts";
import { runtimeVersion } from "./runtime.ts";

const SIZES = [10_000, 100_000, 1_000_000];
const DELTA = 50;
/** Most that the 1 MB cost per character may be of the 10 KB one (a quadratic sanitizer shows about 100). */
const FLAT_RATIO = 2;
/** Characters sanitized per measurement, at least: small inputs are repeated to reach it. */
const WORK = 2_000_000;
const ROUNDS = 5;

const INPUTS: Record<string, string> = {
  'one line of "- "': "- ",
  "link targets that never close": "[a](",
  "a URL, then dots": "https://example.com/a" + ".".repeat(997) + " ",
  "runs of stars on one line": "x" + "*".repeat(999),
  "table pipes and spaces": "|" + " ".repeat(99),
  "ordinary Markdown": "## Plan\n- **Step** one: see [docs](https://example.com/a) 🎉\n" +
    "Plain words flow through quickly, 3 * 4 = 12, it's fine.\n| a | b |\n",
};

function sanitize(text: string): number {
  const voice = createVoiceSanitizer();
  let out = 0;
  for (let at = 0; at < text.length; at += DELTA) out += voice.push(text.slice(at, at + DELTA)).length;
  return out + voice.flush().length;
}

/** Best nanoseconds per character over a few rounds. */
function costPerChar(text: string): number {
  const repeats = Math.max(1, Math.ceil(WORK / text.length));
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    for (let r = 0; r < repeats; r++) sanitize(text);
    best = Math.min(best, ((performance.now() - started) * 1e6) / (repeats * text.length));
  }
  return best;
}

console.log(
  `voice sanitizer, ${runtimeVersion}, ${DELTA}-character deltas, MAX_UNDECIDED ${MAX_UNDECIDED}: ns per character`,
);
console.log(`${"input".padEnd(32)}${SIZES.map((s) => `${s / 1000} KB`.padStart(10)).join("")}   1 MB / 10 KB`);
let misses = 0;
for (const [name, unit] of Object.entries(INPUTS)) {
  const costs = SIZES.map((size) => costPerChar(unit.repeat(Math.ceil(size / unit.length)).slice(0, size)));
  const ratio = costs.at(-1)! / costs[0];
  const flat = ratio <= FLAT_RATIO;
  if (!flat) misses++;
  console.log(
    `${name.padEnd(32)}${costs.map((c) => c.toFixed(1).padStart(10)).join("")}   ${ratio.toFixed(2).padStart(6)} ` +
      `${flat ? "PASS" : "MISS"}`,
  );
}
console.log(misses === 0 ? "PASS: cost per character is flat" : `MISS: ${misses} input(s) not flat`);
