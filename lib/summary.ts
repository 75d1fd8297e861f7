import type { SessionSummary } from "./types.ts";

const encoder = new TextEncoder();

/** A {@link SessionSummary} as stored: `transcriptOmitted` counts the middle lines left out to fit the store. */
export type StoredSummary = SessionSummary & { transcriptOmitted?: number };

/** Options of {@link serializeSummary}. */
export interface SerializeSummaryOptions {
  /** The most UTF-8 bytes the stored JSON may take (the store's value limit). */
  maxBytes: number;
}

const size = (text: string) => encoder.encode(text).byteLength;

/**
 * A summary as JSON within `maxBytes`: when the transcript does not fit, lines are left out from the middle of the
 * call (its beginning and its end are kept, `transcriptOmitted` says how many were dropped); when not even one line
 * fits, the transcript is left out. Deno KV takes 64 KiB per value, a Durable Object 128 KiB: a long call still gets a summary.
 * @example
 * await store.set(key, serializeSummary(summary, { maxBytes: store.maxValueBytes ?? 65_536 }), { expected, ttlSeconds });
 */
export function serializeSummary(summary: SessionSummary, options: SerializeSummaryOptions): string {
  const { maxBytes } = options;
  const whole = JSON.stringify(summary);
  if (size(whole) <= maxBytes) return whole;
  const lines = summary.transcript;
  const keeping = (kept: number): string => {
    const head = Math.ceil(kept / 2);
    const transcript = [...lines.slice(0, head), ...lines.slice(lines.length - (kept - head))];
    return JSON.stringify({ ...summary, transcript, transcriptOmitted: lines.length - kept });
  };
  // The most lines that fit: binary search, each step one serialization.
  let low = 0;
  let high = lines.length - 1;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (size(keeping(mid)) <= maxBytes) low = mid;
    else high = mid - 1;
  }
  const text = keeping(low);
  if (size(text) <= maxBytes) return text;
  throw new RangeError(`a summary without its transcript is over ${maxBytes} bytes`);
}
