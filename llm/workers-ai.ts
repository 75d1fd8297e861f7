import { streamChat, UpstreamError } from "./chat-stream.ts";
import { envText } from "../lib/env.ts";
import { isAiBinding, missingModel } from "./choose-model.ts";
import { DEFAULT_MAX_TOOL_ROUNDS, type ModelInput, type ModelProvider } from "./types.ts";

/** The part of the Workers AI binding (`env.AI`) this provider uses. */
export interface WorkersAiBinding {
  run(model: string, inputs: Record<string, unknown>): Promise<unknown>;
}

/** Options of {@link createWorkersAiModel}. */
export interface WorkersAiModelOptions {
  /** The Workers AI binding: `env.AI` with `[ai] binding = "AI"` in wrangler.toml. */
  ai: WorkersAiBinding;
  /** `WORKERS_AI_MODEL`. @default "@cf/meta/llama-3.3-70b-instruct-fp8-fast" */
  model?: string;
  /** Most rounds of tool calls in one turn. @default 4 */
  maxToolRounds?: number;
}

/** Workers AI's default here: Meta's Llama 3.3 70B in its fast FP8 build, which supports function calling. */
export const DEFAULT_WORKERS_AI_MODEL = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";

/**
 * Workers AI through its binding, so a Worker needs no model key: `ai.run(model, { messages, tools, stream: true })`
 * answers a `ReadableStream` of SSE events (`data: {"response":"…"}`, tool calls and usage, then `data: [DONE]`).
 * The turn's abort cancels that stream.
 * @example
 * export default createApp({ model: (env) => createWorkersAiModel({ ai: env.AI as WorkersAiBinding }) });
 */
export function createWorkersAiModel(options: WorkersAiModelOptions): ModelProvider {
  const model = options.model ?? DEFAULT_WORKERS_AI_MODEL;
  return {
    name: "workers-ai",
    model,
    stream: (input: ModelInput) =>
      streamChat(input, {
        maxToolRounds: options.maxToolRounds ?? DEFAULT_MAX_TOOL_ROUNDS,
        async open({ messages, tools, signal }) {
          let output: unknown;
          try {
            // Workers AI's message schema wants a string `content`, also beside `tool_calls`.
            const inputs = { messages: messages.map((m) => ({ ...m, content: m.content ?? "" })), stream: true };
            output = await options.ai.run(model, tools ? { ...inputs, tools } : inputs);
          } catch {
            // The binding's errors carry the upstream's text: only their occurrence is reported.
            throw signal.aborted ? signal.reason : new UpstreamError("Workers AI refused the request");
          }
          if (!(output instanceof ReadableStream)) throw new UpstreamError("Workers AI answered without a stream");
          if (signal.aborted) {
            await output.cancel().catch(() => {});
            throw signal.reason;
          }
          return output;
        },
      }),
  };
}

/**
 * Workers AI as the environment configures it: the `AI` binding and `WORKERS_AI_MODEL`. Without the binding, a
 * provider whose every turn apologizes and whose error names the wrangler.toml line to add.
 */
export function workersAiFromEnv(env: Record<string, unknown>): ModelProvider {
  const model = envText(env, "WORKERS_AI_MODEL") ?? DEFAULT_WORKERS_AI_MODEL;
  if (!isAiBinding(env.AI)) {
    return missingModel("workers-ai", model, 'the Workers AI binding is missing: add [ai] binding = "AI" to wrangler.toml');
  }
  return createWorkersAiModel({ ai: env.AI as WorkersAiBinding, model });
}
