/** A model for the playground's tests: calls its first tool as Gemini's provider does, fails when asked to. */
import type { ModelChunk, ModelInput, ModelProvider } from "../../llm/types.ts";

/**
 * Wraps `base`: a user message mentioning "time" makes it call the first tool with `{ timezone: "UTC" }` the way
 * llm/gemini.ts runs a function call (a `response.data` frame, the filler, the tool, its result), then say the time;
 * a message mentioning "fail" makes it fail after a word, and reports tokens used; anything else goes to `base`.
 */
export function playgroundModel(base: ModelProvider): ModelProvider {
  return {
    name: base.name,
    model: base.model,
    async *stream(input: ModelInput): AsyncGenerator<ModelChunk> {
      if (/\bfail\b/.test(input.messages.at(-1)?.text ?? "")) {
        yield "Well ";
        yield { usage: { inputTokens: 12, outputTokens: 1 } };
        throw new TypeError("the model's connection dropped");
      }
      const tool = input.tools?.[0];
      if (!tool || !/\btime\b/.test(input.messages.at(-1)?.text ?? "")) return yield* base.stream(input);
      const args = { timezone: "UTC" };
      yield { data: { isThinking: true, tool: tool.name } };
      if (tool.filler) yield `${tool.filler} `;
      const result = await tool.execute(args, input.context!, { signal: input.signal }) as { now?: string };
      yield { data: { isThinking: false, tool: tool.name, result } };
      yield `It is ${result.now}.`;
    },
  };
}
