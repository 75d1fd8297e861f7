/**
 * Split: ours (the same createApp as ours.ts) on a store that keeps nothing (every read finds nothing, every write
 * succeeds). The gap to ours is what the memory store and the history's reads and writes cost.
 */
import { createApp } from "../../app/create-app.ts";
import type { ModelProvider } from "../../llm/types.ts";
import type { ConversationStore } from "../../storage/types.ts";
import { SECRET, scriptedModel } from "../fixture.mjs";

const nullStore: ConversationStore = {
  name: "null",
  atomic: true,
  get: () => Promise.resolve(null),
  set: () => Promise.resolve("1"),
  delete: () => Promise.resolve(),
};

const app = createApp({
  model: scriptedModel as ModelProvider,
  store: nullStore,
  env: { LAYERCODE_WEBHOOK_SECRET: SECRET, LOG_LEVEL: "warn" },
});

export default { fetch: app.fetch };
