/**
 * Your agent: what the platform entries pass to `createApp`. Change the tools and hooks here; the prompt and the
 * welcome come from `SYSTEM_PROMPT` and `WELCOME_MESSAGE` (or add `systemPrompt` / `welcome` hooks).
 * @module
 */
import type { CreateAppOptions } from "./lib/app.ts";
import { currentTime } from "./tools/current-time.ts";

/** How long post-call summaries are kept in the store. */
const SUMMARY_TTL_SECONDS = 30 * 24 * 3600;

/** The template's agent: one example tool, and post-call summaries kept in the chosen store. */
export const agent: CreateAppOptions = {
  tools: [currentTime],
  hooks: {
    // Post-call processing: keep a summary of the call next to its history, in whatever store is configured.
    async onSessionEnd(summary, _event, { store, historyKey }) {
      const key = `summary:${historyKey}`;
      const current = await store.get(key);
      await store.set(key, JSON.stringify(summary), { expected: current?.version ?? null, ttlSeconds: SUMMARY_TTL_SECONDS });
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
