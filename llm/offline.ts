import type { ModelInput, ModelProvider } from "./types.ts";

/**
 * A deterministic agent that needs no key or network: development mode without a Gemini key, and tests of
 * the pipeline. It answers with what the user said, word by word.
 */
export function createOfflineModel(): ModelProvider {
  return {
    name: "offline",
    model: "offline-echo",
    async *stream({ messages, signal }: ModelInput) {
      const last = messages.findLast((m) => m.role === "user")?.text ?? "";
      const turns = messages.filter((m) => m.role === "user").length;
      const reply = `You said: ${last.trim()}. This is turn ${turns} with the offline development agent; ` +
        `set GOOGLE_GENERATIVE_AI_API_KEY to talk to Gemini.`;
      for (const word of reply.split(/(?<= )/)) {
        if (signal.aborted) return;
        yield word;
        await Promise.resolve();
      }
    },
  };
}
