/**
 * Split: ours (the same createApp as ours.ts) with `VOICE_SAFE_OUTPUT=false`, so that deltas skip the streaming
 * voice sanitizer (lib/voice.ts). The gap to ours is what sanitizing costs.
 */
import { createApp } from "../../app/create-app.ts";
import type { ModelProvider } from "../../llm/types.ts";
import { createMemoryStore } from "../../storage/memory.ts";
import { SECRET, scriptedModel } from "../fixture.mjs";

const app = createApp({
  model: scriptedModel as ModelProvider,
  store: createMemoryStore(),
  env: { LAYERCODE_WEBHOOK_SECRET: SECRET, LOG_LEVEL: "warn", VOICE_SAFE_OUTPUT: "false" },
});

export default { fetch: app.fetch };
