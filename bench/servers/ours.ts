/**
 * Ours: the real app from app/create-app.ts (signature check over the raw body, event parsing, history in the memory
 * store, the SSE turn), with the scripted in-process model of bench/fixture.mjs.
 */
import { createApp } from "../../app/create-app.ts";
import type { ModelProvider } from "../../llm/types.ts";
import { createMemoryStore } from "../../storage/memory.ts";
import { SECRET, scriptedModel } from "../fixture.mjs";

const app = createApp({
  model: scriptedModel as ModelProvider,
  store: createMemoryStore(),
  env: { LAYERCODE_WEBHOOK_SECRET: SECRET, LOG_LEVEL: "warn" },
});

export default { fetch: app.fetch };
