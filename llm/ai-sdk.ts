/**
 * Any AI SDK language model as this backend's model: `@ai-sdk/openai`, `@ai-sdk/anthropic`, `@ai-sdk/google`,
 * `workers-ai-provider`, … Import it from its own subpath (`./llm/ai-sdk`) so that `ai`, an optional peer
 * dependency, stays out of every bundle that does not use it.
 * @example
 * import { createOpenAI } from "@ai-sdk/openai";
 * import { createAiSdkModel } from "./llm/ai-sdk.ts";
 * export default createApp({ model: createAiSdkModel(createOpenAI({ apiKey })("gpt-4.1-mini")) });
 * @module
 */
import { jsonSchema, type LanguageModel, type ModelMessage, stepCountIs, streamText, tool, type ToolSet } from "ai";
import { UpstreamError } from "./chat-stream.ts";
import { executeTool } from "./tools.ts";
import { DEFAULT_MAX_TOOL_ROUNDS, type ModelChunk, type ModelInput, type ModelProvider } from "./types.ts";

/** Options of {@link createAiSdkModel}. */
export interface AiSdkModelOptions {
  /** Most rounds of tool calls in one turn. @default 4 */
  maxToolRounds?: number;
}

/** A language model object (not a bare model id, which would need the AI SDK's gateway). */
type LanguageModelObject = Exclude<LanguageModel, string>;

/**
 * Adapts an AI SDK language model: text deltas as they stream, our `Tool`s as AI SDK tools (the AI SDK runs them
 * and continues; the filler and `response.data` frames go out as with every provider), usage per step, and the
 * turn's signal as `abortSignal`. No retries (a voice turn cannot wait for backoff: it apologizes instead) and no
 * error logging of its own (an upstream error's text stays out of the logs).
 */
export function createAiSdkModel(languageModel: LanguageModelObject, options: AiSdkModelOptions = {}): ModelProvider {
  const maxToolRounds = options.maxToolRounds ?? DEFAULT_MAX_TOOL_ROUNDS;
  return {
    name: "ai-sdk",
    model: `${languageModel.provider}/${languageModel.modelId}`,
    async *stream({ system, messages, signal, tools, context }: ModelInput): AsyncGenerator<ModelChunk> {
      const toolSet: ToolSet = {};
      for (const ours of tools ?? []) {
        toolSet[ours.name] = tool({
          description: ours.description,
          inputSchema: jsonSchema(ours.parameters ?? { type: "object", properties: {} }),
          execute: (args: unknown) =>
            executeTool(ours, { name: ours.name, args: args as Record<string, unknown> | undefined }, {
              context,
              signal,
            }),
        });
      }
      const result = streamText({
        model: languageModel,
        system,
        messages: messages.map((m): ModelMessage => ({ role: m.role, content: m.text })),
        ...(tools?.length
          ? {
            tools: toolSet,
            stopWhen: stepCountIs(maxToolRounds + 1),
            // The last step gets no tools, so that the turn ends with words, as with every provider.
            prepareStep: ({ stepNumber }: { stepNumber: number }) =>
              stepNumber >= maxToolRounds ? { activeTools: [] } : undefined,
          }
          : {}),
        abortSignal: signal,
        maxRetries: 0,
        onError: () => {},
      });
      for await (const part of result.fullStream) {
        switch (part.type) {
          case "text-delta":
            if (part.text) yield part.text;
            break;
          case "tool-call": {
            yield { data: { isThinking: true, tool: part.toolName } };
            const filler = tools?.find((t) => t.name === part.toolName)?.filler;
            if (filler) yield `${filler} `;
            break;
          }
          case "tool-result":
            yield { data: { isThinking: false, tool: part.toolName, ...(part.output as object) } };
            break;
          case "tool-error":
            yield { data: { isThinking: false, tool: part.toolName, error: `the tool ${part.toolName} failed` } };
            break;
          case "finish-step":
            yield { usage: { inputTokens: part.usage.inputTokens, outputTokens: part.usage.outputTokens } };
            break;
          case "abort":
            throw signal.reason ?? new DOMException("aborted", "AbortError");
          case "error":
            throw signal.aborted ? signal.reason : new UpstreamError("the AI SDK model failed");
        }
      }
    },
  };
}
