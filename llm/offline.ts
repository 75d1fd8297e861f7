import type { ModelInput, ModelProvider } from "./types.ts";

/** Options of {@link createOfflineModel}. */
export interface OfflineModelOptions {
  /** A pause before each word, to watch a slow reply stream (and barge in on it). @default 0 */
  delayMs?: number;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

/**
 * A deterministic agent that needs no key or network: development mode without a Gemini key, and tests of
 * the pipeline. It answers with what the user said, word by word.
 */
export function createOfflineModel(options: OfflineModelOptions = {}): ModelProvider {
  const delayMs = options.delayMs ?? 0;
  return {
    name: "offline",
    model: "offline-echo",
    async *stream({ messages, signal }: ModelInput) {
      const last = messages.findLast((m) => m.role === "user")?.text ?? "";
      const turns = messages.filter((m) => m.role === "user").length;
      const reply = `You said: ${last.trim()}. This is turn ${turns} with the offline development agent; ` +
        `set GOOGLE_GENERATIVE_AI_API_KEY to talk to Gemini.`;
      for (const word of reply.split(/(?<= )/)) {
        if (delayMs > 0) await pause(delayMs, signal);
        if (signal.aborted) return;
        yield word;
        await Promise.resolve();
      }
    },
  };
}
