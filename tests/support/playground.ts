/** A model for the playground's tests: calls its first tool as Gemini's provider does, when asked the time. */
import type { ModelChunk, ModelInput, ModelProvider } from "../../llm/types.ts";

/**
 * Wraps `base`: a user message mentioning "time" makes it call the first tool with `{ timezone: "UTC" }` the way
 * llm/gemini.ts runs a function call (a `response.data` frame, the filler, the tool, its result), then say the time;
 * anything else goes to `base`.
 */
export function toolCallingModel(base: ModelProvider): ModelProvider {
  return {
    name: base.name,
    model: base.model,
    async *stream(input: ModelInput): AsyncGenerator<ModelChunk> {
      const tool = input.tools?.[0];
      if (!tool || !/\btime\b/.test(input.messages.at(-1)?.text ?? "")) return yield* base.stream(input);
      const args = { timezone: "UTC" };
      yield { data: { isThinking: true, tool: tool.name } };
      if (tool.filler) yield `${tool.filler} `;
      const result = await tool.execute(args, input.context!) as { now?: string };
      yield { data: { isThinking: false, tool: tool.name, result } };
      yield `It is ${result.now}.`;
    },
  };
}
