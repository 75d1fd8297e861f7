import { type Content, GoogleGenerativeAI } from "@google/generative-ai";
import type { Message } from "../lib/history.ts";
import type { ModelInput, ModelProvider } from "./types.ts";

/** Options of {@link createGeminiModel}. */
export interface GeminiModelOptions {
  /** `GOOGLE_GENERATIVE_AI_API_KEY`. */
  apiKey: string;
  /** @default "gemini-2.5-flash-lite" */
  model?: string;
  /** Another endpoint speaking Gemini's API (an AI gateway, a local test server). */
  baseUrl?: string;
}

/** Gemini's default model for this backend. */
export const DEFAULT_GEMINI_MODEL = "gemini-2.5-flash-lite";

function toContents(messages: readonly Message[]): Content[] {
  const contents: Content[] = [];
  for (const message of messages) {
    const role = message.role === "assistant" ? "model" : "user";
    const last = contents.at(-1);
    // Consecutive messages of one role (a reply lost to an error) are merged: Gemini expects turns to alternate.
    if (last?.role === role) last.parts.push({ text: message.text });
    else contents.push({ role, parts: [{ text: message.text }] });
  }
  return contents;
}

/**
 * Gemini through `@google/generative-ai`, streaming `streamGenerateContent?alt=sse`.
 * @example
 * createApp({ model: createGeminiModel({ apiKey: env.GOOGLE_GENERATIVE_AI_API_KEY }) });
 */
export function createGeminiModel(options: GeminiModelOptions): ModelProvider {
  const model = options.model ?? DEFAULT_GEMINI_MODEL;
  const client = new GoogleGenerativeAI(options.apiKey).getGenerativeModel(
    { model },
    options.baseUrl ? { baseUrl: options.baseUrl.replace(/\/+$/, "") } : undefined,
  );
  return {
    name: "gemini",
    model,
    async *stream({ system, messages, signal }: ModelInput) {
      const result = await client.generateContentStream(
        { contents: toContents(messages), systemInstruction: { role: "system", parts: [{ text: system }] } },
        { signal },
      );
      // The aggregated response rejects with the stream's error, which the loop below already reports.
      result.response.catch(() => {});
      for await (const chunk of result.stream) {
        const parts = chunk.candidates?.[0]?.content?.parts;
        if (!parts) continue;
        for (const part of parts) if (part.text) yield part.text;
      }
    },
  };
}
