import {
  type Content,
  type FunctionCall,
  type FunctionDeclarationsTool,
  GenerativeModel,
  type Part,
} from "@google/generative-ai";
import { type AgentConfig, DEFAULT_GEMINI_MODEL } from "../lib/config.ts";
import type { Message } from "../lib/message.ts";
import { missingModel } from "./choose-model.ts";
import {
  type AnyTool,
  DEFAULT_MAX_TOOL_ROUNDS,
  type ModelChunk,
  type ModelInput,
  type ModelProvider,
  type TurnContext,
} from "./types.ts";

/** Options of {@link createGeminiModel}. */
export interface GeminiModelOptions {
  /** `GOOGLE_GENERATIVE_AI_API_KEY`. */
  apiKey: string;
  /** @default "gemini-2.5-flash-lite" */
  model?: string;
  /** Another endpoint speaking Gemini's API (an AI gateway, a local test server). */
  baseUrl?: string;
  /** Most rounds of tool calls in one turn. @default 4 */
  maxToolRounds?: number;
}

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

function declarations(tools: readonly AnyTool[] | undefined): FunctionDeclarationsTool[] | undefined {
  if (!tools?.length) return undefined;
  return [{
    functionDeclarations: tools.map((tool) => ({
      name: tool.name,
      description: tool.description,
      ...(tool.parameters ? { parameters: tool.parameters as never } : {}),
    })),
  }];
}

async function runTool(
  tool: AnyTool | undefined,
  call: FunctionCall,
  context: TurnContext | undefined,
  signal: AbortSignal,
): Promise<Record<string, unknown>> {
  if (!tool) return { error: `there is no tool named ${call.name}` };
  try {
    const result = await tool.execute(call.args ?? {}, context as TurnContext, { signal });
    return { result: result === undefined ? null : result };
  } catch {
    return { error: `the tool ${call.name} failed` };
  }
}

/**
 * Gemini through `@google/generative-ai`, streaming `streamGenerateContent?alt=sse`. Tools are passed as function
 * declarations; when the model calls them, their filler is spoken, `response.data` frames tell the browser
 * (`{ isThinking: true, tool }`, then the result), and the model continues with the function responses.
 * @example
 * createApp({ model: createGeminiModel({ apiKey: env.GOOGLE_GENERATIVE_AI_API_KEY }) });
 */
export function createGeminiModel(options: GeminiModelOptions): ModelProvider {
  const model = options.model ?? DEFAULT_GEMINI_MODEL;
  const maxToolRounds = options.maxToolRounds ?? DEFAULT_MAX_TOOL_ROUNDS;
  // GenerativeModel itself, not GoogleGenerativeAI's factory of it: 0.3 KB less in the Workers bundle.
  const client = new GenerativeModel(
    options.apiKey,
    { model },
    options.baseUrl ? { baseUrl: options.baseUrl.replace(/\/+$/, "") } : undefined,
  );
  return {
    name: "gemini",
    model,
    async *stream({ system, messages, signal, tools, context }: ModelInput): AsyncGenerator<ModelChunk> {
      const contents = toContents(messages);
      const systemInstruction = { role: "system", parts: [{ text: system }] };
      const functionTools = declarations(tools);
      for (let round = 0;; round++) {
        // The SDK only listens for a later "abort" event: a signal aborted already would be ignored.
        if (signal.aborted) return;
        const result = await client.generateContentStream(
          { contents, systemInstruction, tools: round < maxToolRounds ? functionTools : undefined },
          { signal },
        );
        // The aggregated response rejects with the stream's error, which the loop below already reports.
        result.response.catch(() => {});
        const calls: FunctionCall[] = [];
        let usage: { promptTokenCount?: number; candidatesTokenCount?: number } | undefined;
        for await (const chunk of result.stream) {
          usage = chunk.usageMetadata ?? usage;
          const parts = chunk.candidates?.[0]?.content?.parts;
          if (!parts) continue;
          for (const part of parts) {
            if (part.text) yield part.text;
            if (part.functionCall) calls.push(part.functionCall);
          }
        }
        if (usage) yield { usage: { inputTokens: usage.promptTokenCount, outputTokens: usage.candidatesTokenCount } };
        if (calls.length === 0 || !tools?.length) return;

        contents.push({ role: "model", parts: calls.map((functionCall): Part => ({ functionCall })) });
        const responses: Part[] = [];
        for (const call of calls) {
          const tool = tools.find((t) => t.name === call.name);
          yield { data: { isThinking: true, tool: call.name } };
          if (tool?.filler) yield `${tool.filler} `;
          const response = await runTool(tool, call, context, signal);
          if (signal.aborted) return;
          yield { data: { isThinking: false, tool: call.name, ...response } };
          responses.push({ functionResponse: { name: call.name, response } });
        }
        contents.push({ role: "function", parts: responses });
      }
    },
  };
}

/**
 * Gemini as the environment configures it (`GOOGLE_GENERATIVE_AI_API_KEY`, `GEMINI_MODEL`, `GEMINI_BASE_URL`, read
 * into `config`); without a key, a provider whose every turn apologizes and whose error names the key.
 */
export function geminiFromEnv(_env: Record<string, unknown>, config: AgentConfig): ModelProvider {
  if (config.geminiApiKey) {
    return createGeminiModel({ apiKey: config.geminiApiKey, model: config.geminiModel, baseUrl: config.geminiBaseUrl });
  }
  return missingModel(
    "gemini",
    config.geminiModel,
    "GOOGLE_GENERATIVE_AI_API_KEY is not set: add it to .env (local) or your platform's secrets",
  );
}
