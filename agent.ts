/**
 * Your agent: what the platform entries pass to `createApp`. Change the tools and hooks here; the prompt and the
 * welcome come from `SYSTEM_PROMPT` and `WELCOME_MESSAGE` (or add `systemPrompt` / `welcome` hooks).
 * @module
 */
import type { CreateAppOptions } from "./lib/types.ts";
import { serializeSummary } from "./lib/summary.ts";
import { currentTime } from "./tools/current-time.ts";

/** How long post-call summaries are kept in the store. */
const SUMMARY_TTL_SECONDS = 30 * 24 * 3600;
/** The largest summary kept, below every store's value limit (Upstash's free plan takes 1 MB per request). */
const SUMMARY_MAX_BYTES = 900_000;

/** The template's agent: one example tool, and post-call summaries kept in the chosen store. */
export const agent: CreateAppOptions = {
  tools: [currentTime],
  hooks: {
    // Post-call processing: keep a summary of the call next to its history, in whatever store is configured. A long
    // call's transcript is shortened in its middle to fit the store's value limit (Deno KV: 64 KiB).
    async onSessionEnd(summary, _event, { store, historyKey }) {
      const key = `summary:${historyKey}`;
      const value = serializeSummary(summary, { maxBytes: Math.min(store.maxValueBytes ?? Infinity, SUMMARY_MAX_BYTES) });
      const current = await store.get(key);
      await store.set(key, value, { expected: current?.version ?? null, ttlSeconds: SUMMARY_TTL_SECONDS });
    },
    // A recording is ready: keep its URL with the summary's key, for your back office.
    async onSessionUpdate(event, { store, historyKey }) {
      if (event.recordingStatus !== "completed" || !event.recordingUrl) return;
      const key = `recording:${historyKey}`;
      const current = await store.get(key);
      await store.set(key, event.recordingUrl, { expected: current?.version ?? null, ttlSeconds: SUMMARY_TTL_SECONDS });
    },
  },
};
