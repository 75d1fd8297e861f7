import { createParser, type EventSourceMessage } from "eventsource-parser";
import { parseToolArgs, runToolCall } from "./tools.ts";
import type { ModelChunk, ModelInput, Usage } from "./types.ts";

/**
 * The model's endpoint failed: an HTTP error status, an error event, a malformed event, or a stream that ended
 * before its end. The message never holds the upstream's own text (it could echo a key or the prompt).
 */
export class UpstreamError extends Error {
  /** The upstream's HTTP status, when it answered with one. */
  status?: number;
  constructor(message: string, status?: number) {
    super(message);
    this.name = "UpstreamError";
    this.status = status;
  }
}

/** A Chat Completions message, as OpenAI-compatible endpoints and Workers AI take them. */
export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string | null;
  tool_calls?: { id: string; type: "function"; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
  /** The tool's name on a `tool` message (Workers AI's native models read it). */
  name?: string;
}

/** A function the model may call, as Chat Completions declares it. */
export interface ChatTool {
  type: "function";
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

/** One request of a turn: the conversation so far and, while rounds of tool calls remain, the tools. */
export interface ChatRequest {
  messages: ChatMessage[];
  tools?: ChatTool[];
  signal: AbortSignal;
}

/** Options of {@link streamChat}. */
export interface StreamChatOptions {
  /** Sends one request and hands back its SSE body; throws an {@link UpstreamError} on an error status. */
  open: (request: ChatRequest) => Promise<ReadableStream<Uint8Array>>;
  /** Most rounds of tool calls in one turn. */
  maxToolRounds: number;
}

interface PendingCall {
  id: string;
  name: string;
  arguments: string;
}

interface Round {
  text: string;
  calls: Map<number, PendingCall>;
  usage?: Usage;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Adds one streamed piece of a tool call (OpenAI's `{ index, id, function: { name, arguments } }`) to its call. */
function addToolPiece(calls: Map<number, PendingCall>, piece: unknown, position: number): void {
  if (!isObject(piece)) return;
  const fn = isObject(piece.function) ? piece.function : piece; // Workers AI's native models: `{ name, arguments }`
  const args = fn.arguments;
  const text = typeof args === "string" ? args : isObject(args) ? JSON.stringify(args) : "";
  const name = typeof fn.name === "string" ? fn.name : "";
  const id = typeof piece.id === "string" ? piece.id : "";
  if (!id && !name && !text) return; // a closing piece with nothing in it
  // Without an index, a piece with an id or a name starts a call, and one without continues the last call.
  const index = typeof piece.index === "number" ? piece.index : id || name ? position : Math.max(-1, ...calls.keys());
  const call = calls.get(index);
  if (!call) calls.set(index, { id, name, arguments: text });
  else {
    call.id ||= id;
    call.name ||= name;
    call.arguments += text;
  }
}

/**
 * Reads one streamed answer: OpenAI's `choices[0].delta` chunks, or Workers AI's native `{ response, tool_calls,
 * usage }` events, until `data: [DONE]`. Text is yielded the moment its event is parsed; tool calls and usage are
 * collected into `round`.
 */
async function* readRound(body: ReadableStream<Uint8Array>, signal: AbortSignal, round: Round): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  const cancel = () => reader.cancel().catch(() => {});
  signal.addEventListener("abort", cancel, { once: true });
  let done = false;
  let finished = false;
  try {
    while (!done) {
      const { value, done: end } = await reader.read();
      if (signal.aborted) throw signal.reason;
      if (end) break;
      parser.feed(decoder.decode(value, { stream: true }));
      for (const event of events.splice(0)) {
        if (event.data.trim() === "[DONE]") {
          done = true;
          break;
        }
        let chunk: unknown;
        try {
          chunk = JSON.parse(event.data);
        } catch {
          throw new UpstreamError("the model sent an event that is not JSON");
        }
        if (!isObject(chunk)) continue;
        if (chunk.error !== undefined && chunk.error !== null) throw new UpstreamError("the model sent an error event");
        const usage = chunk.usage;
        if (isObject(usage)) {
          round.usage = {
            inputTokens: typeof usage.prompt_tokens === "number" ? usage.prompt_tokens : undefined,
            outputTokens: typeof usage.completion_tokens === "number" ? usage.completion_tokens : undefined,
          };
        }
        const choice = Array.isArray(chunk.choices) && isObject(chunk.choices[0]) ? chunk.choices[0] : undefined;
        const delta = choice && isObject(choice.delta) ? choice.delta : undefined;
        if (choice?.finish_reason) finished = true;
        const text = delta?.content ?? chunk.response;
        if (typeof text === "string" && text) {
          round.text += text;
          yield text;
        }
        const pieces = delta?.tool_calls ?? chunk.tool_calls;
        if (Array.isArray(pieces)) {
          const start = round.calls.size;
          pieces.forEach((piece, i) => addToolPiece(round.calls, piece, start + i));
        }
      }
    }
    if (!done && !finished) throw new UpstreamError("the model's stream ended before its end");
  } finally {
    signal.removeEventListener("abort", cancel);
    // Releases the upstream request when the turn stops early (barge-in, timeout, an error above).
    if (!done) cancel();
  }
}

/**
 * Streams a turn from a Chat Completions endpoint: system prompt and history as messages, text deltas as they come,
 * tool calls assembled from their streamed pieces and run (`runToolCall`), their results fed back as `tool`
 * messages, and the model asked again, at most `maxToolRounds` times. Usage is reported once per request.
 */
export async function* streamChat(input: ModelInput, options: StreamChatOptions): AsyncGenerator<ModelChunk> {
  const { system, signal, tools, context } = input;
  const messages: ChatMessage[] = [
    { role: "system", content: system },
    ...input.messages.map((m): ChatMessage => ({ role: m.role, content: m.text })),
  ];
  const declared: ChatTool[] | undefined = tools?.length
    ? tools.map((tool) => ({
      type: "function",
      function: {
        name: tool.name,
        description: tool.description,
        parameters: tool.parameters ?? { type: "object", properties: {} },
      },
    }))
    : undefined;
  for (let round = 0;; round++) {
    if (signal.aborted) throw signal.reason;
    const body = await options.open({
      messages: [...messages],
      tools: round < options.maxToolRounds ? declared : undefined,
      signal,
    });
    const result: Round = { text: "", calls: new Map() };
    yield* readRound(body, signal, result);
    if (result.usage) yield { usage: result.usage };
    if (result.calls.size === 0 || !tools?.length) return;

    const calls = [...result.calls.values()].map((call, i) => ({ ...call, id: call.id || `call_${round}_${i}` }));
    messages.push({
      role: "assistant",
      content: result.text || null,
      tool_calls: calls.map((call) => ({
        id: call.id,
        type: "function",
        function: { name: call.name, arguments: call.arguments || "{}" },
      })),
    });
    for (const call of calls) {
      const args = parseToolArgs(call.arguments);
      const response = yield* runToolCall(tools, { name: call.name, args }, { context, signal });
      messages.push({ role: "tool", tool_call_id: call.id, name: call.name, content: JSON.stringify(response) });
    }
  }
}
