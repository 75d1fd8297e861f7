/**
 * A local HTTP server that speaks OpenAI's Chat Completions streaming wire format (`POST /v1/chat/completions` with
 * `stream: true`): `chat.completion.chunk` events with `choices[0].delta`, tool calls as `delta.tool_calls` whose
 * `arguments` come in pieces, `finish_reason`, the usage chunk (`choices: []`) when `stream_options.include_usage`
 * asks for it, then `data: [DONE]`; errors as `{"error":{"message",…}}` with an HTTP error status. The real provider
 * code (our `fetch` one, the AI SDK's `@ai-sdk/openai-compatible`) talks to it as it would to OpenAI.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { echo, FAKE_USAGE, type ModelFake, type ModelRequest, UPSTREAM_ERROR_TEXT } from "./model-fake.ts";

/** A Chat Completions message as the fake reads it. */
interface WireMessage {
  role: string;
  content: string | null | { type: string; text?: string }[];
  tool_calls?: { id: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

/** Reads Chat Completions messages (OpenAI's and Workers AI's) into the fakes' common request. */
export function readChatMessages(
  messages: WireMessage[],
  tools: { function?: { name: string }; name?: string }[] | undefined,
): Pick<ModelRequest, "system" | "turns" | "toolNames" | "toolResults"> {
  const text = (content: WireMessage["content"]) =>
    typeof content === "string" ? content : (content ?? []).map((part) => part.text ?? "").join("");
  const names = new Map<string, string>();
  const request: Pick<ModelRequest, "system" | "turns" | "toolNames" | "toolResults"> = {
    system: "",
    turns: [],
    toolNames: (tools ?? []).map((tool) => tool.function?.name ?? tool.name ?? ""),
    toolResults: [],
  };
  for (const message of messages) {
    for (const call of message.tool_calls ?? []) names.set(call.id, call.function.name);
    if (message.role === "system") request.system += text(message.content);
    else if (message.role === "tool") {
      request.toolResults.push({
        name: names.get(message.tool_call_id ?? "") ?? "",
        response: JSON.parse(text(message.content)),
      });
    } else if (text(message.content)) request.turns.push([message.role, text(message.content)]);
  }
  return request;
}

/** The fake OpenAI-compatible endpoint; `baseUrl` ends in `/v1`, as `OPENAI_BASE_URL` does. */
export interface OpenAiServer extends ModelFake {
  baseUrl: string;
  /** The raw JSON bodies received, for wire-level checks. */
  bodies: Record<string, unknown>[];
  /** The paths requested. */
  paths: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the fake endpoint on a free loopback port. */
export async function startOpenAiServer(): Promise<OpenAiServer> {
  const sockets = new Set<Socket>();
  const server: OpenAiServer = {
    baseUrl: "",
    requests: [],
    bodies: [],
    paths: [],
    respond: echo,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        http.close(() => resolve());
      }),
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    let raw = "";
    for await (const part of req) raw += part;
    let finished = false;
    const closed = new Promise<boolean>((resolve) => res.on("close", () => resolve(!finished)));
    const body = JSON.parse(raw);
    server.bodies.push(body);
    server.paths.push(req.url ?? "");
    const auth = req.headers.authorization;
    const request: ModelRequest = {
      apiKey: auth?.startsWith("Bearer ") ? auth.slice(7) : undefined,
      ...readChatMessages(body.messages, body.tools),
      closed,
      deltasSent: 0,
    };
    server.requests.push(request);
    const script = server.respond(request);
    if (script.hang) return;
    if (req.url !== "/v1/chat/completions" || script.errorStatus) {
      finished = true;
      const status = script.errorStatus ?? 404;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: UPSTREAM_ERROR_TEXT, type: "server_error", code: String(status) } }));
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const base = { id: "chatcmpl-fake", object: "chat.completion.chunk", created: 1_700_000_000, model: body.model };
    const send = (choice: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      res.write(
        `data: ${
          JSON.stringify({ ...base, choices: [{ index: 0, logprobs: null, finish_reason: null, ...choice }], ...extra })
        }\n\n`,
      );
    send({ delta: { role: "assistant", content: "" } });
    const deltas = script.deltas ?? [];
    for (let i = 0; i < deltas.length; i++) {
      if (script.cutAfter !== undefined && i >= script.cutAfter) {
        await sleep(50); // let the deltas already written reach the client before the connection drops
        res.destroy();
        return;
      }
      if (script.delayMs) await sleep(script.delayMs);
      if (res.destroyed) return;
      send({ delta: { content: deltas[i] } });
      request.deltasSent!++;
    }
    if (script.malformed) res.write("data: {not json\n\n");
    for (const [index, call] of (script.functionCalls ?? []).entries()) {
      const id = `call_fake_${index}`;
      send({ delta: { tool_calls: [{ index, id, type: "function", function: { name: call.name, arguments: "" } }] } });
      // The arguments arrive in small pieces, as OpenAI streams them.
      const json = JSON.stringify(call.args);
      for (let at = 0; at < json.length; at += 4) {
        send({ delta: { tool_calls: [{ index, function: { arguments: json.slice(at, at + 4) } }] } });
      }
    }
    send({ delta: {}, finish_reason: script.functionCalls?.length ? "tool_calls" : "stop" });
    if (body.stream_options?.include_usage) {
      const usage = { prompt_tokens: FAKE_USAGE.inputTokens, completion_tokens: FAKE_USAGE.outputTokens };
      res.write(`data: ${JSON.stringify({ ...base, choices: [], usage: { ...usage, total_tokens: 8 } })}\n\n`);
    }
    res.write("data: [DONE]\n\n");
    finished = true;
    res.end();
  }

  const http = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  http.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  server.baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/v1`;
  return server;
}
