import type { AnyTool, ModelChunk, TurnContext } from "./types.ts";

/** A tool call the model asked for, its arguments already parsed (or `undefined` when they were not JSON). */
export interface ToolCall {
  name: string;
  args: Record<string, unknown> | undefined;
}

/** What the model is told of a tool's run: `{ result }`, or `{ error }` without the tool's own message. */
export type ToolResponse = { result: unknown } | { error: string };

/** Parses streamed tool arguments: a JSON object, an empty string (no arguments), or `undefined` when malformed. */
export function parseToolArgs(raw: string): Record<string, unknown> | undefined {
  if (!raw.trim()) return {};
  try {
    const value = JSON.parse(raw);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs a tool for the model: `{ result }`, or `{ error }` without the tool's own message when it throws, does not
 * exist or got malformed arguments, so no internal detail reaches the model.
 */
export async function executeTool(
  tool: AnyTool | undefined,
  call: ToolCall,
  { context, signal }: { context: TurnContext | undefined; signal: AbortSignal },
): Promise<ToolResponse> {
  if (!tool) return { error: `there is no tool named ${call.name}` };
  if (!call.args) return { error: `the arguments for ${call.name} were not a JSON object` };
  try {
    const result = await tool.execute(call.args, context as TurnContext, { signal });
    return { result: result === undefined ? null : result };
  } catch {
    return { error: `the tool ${call.name} failed` };
  }
}

/**
 * Runs one tool call as every provider does: tells the browser (`{ isThinking: true, tool }`), speaks the tool's
 * filler, runs it ({@link executeTool}) with the turn's signal, tells the browser the outcome, and hands back what the
 * model is told. When the turn was aborted meanwhile, it throws the signal's reason instead.
 */
export async function* runToolCall(
  tools: readonly AnyTool[],
  call: ToolCall,
  options: { context: TurnContext | undefined; signal: AbortSignal },
): AsyncGenerator<ModelChunk, ToolResponse> {
  const tool = tools.find((t) => t.name === call.name);
  yield { data: { isThinking: true, tool: call.name } };
  if (tool?.filler) yield `${tool.filler} `;
  const response = await executeTool(tool, call, options);
  if (options.signal.aborted) throw options.signal.reason;
  yield { data: { isThinking: false, tool: call.name, ...response } };
  return response;
}
