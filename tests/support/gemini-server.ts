/**
 * A local HTTP server that speaks Gemini's `streamGenerateContent?alt=sse` wire format, so that the real
 * `@google/generative-ai` SDK can be tested offline. Each request is answered by the test's `respond` script.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { echo, type ModelFake, type ModelRequest, type ModelScript, UPSTREAM_ERROR_TEXT, words } from "./model-fake.ts";

/** How the fake model answers one request. */
export interface GeminiScript {
  /** Text deltas, one SSE event each. */
  deltas?: string[];
  /** Wait before each delta. */
  delayMs?: number;
  /** Wait before the response headers. */
  startDelayMs?: number;
  /** Answer this HTTP error status with Gemini's error JSON instead. */
  errorStatus?: number;
  /** Never answer. */
  hang?: boolean;
  /** Close the connection after this many deltas. */
  cutAfter?: number;
  /** Send a malformed event after the deltas. */
  malformed?: boolean;
  /** Ask for these function calls (one event with functionCall parts) after the deltas. */
  functionCalls?: { name: string; args: Record<string, unknown> }[];
}

/** One request the fake model received. */
export interface GeminiRequest {
  url: string;
  apiKey: string | undefined;
  body: {
    contents: {
      role: string;
      parts: {
        text?: string;
        functionCall?: { name: string; args: unknown };
        functionResponse?: { name: string; response: Record<string, unknown> };
      }[];
    }[];
    systemInstruction?: { parts: { text: string }[] };
    tools?: { functionDeclarations: { name: string; description?: string; parameters?: unknown }[] }[];
  };
  /** Resolves when the connection ends: `true` when the client went away before the answer was complete. */
  closed: Promise<boolean>;
  /** Deltas written to the client so far. */
  deltasSent: number;
}

export interface GeminiServer {
  baseUrl: string;
  requests: GeminiRequest[];
  respond: (request: GeminiRequest) => GeminiScript;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function chunk(text: string, last: boolean): string {
  const candidate = {
    content: { parts: [{ text }], role: "model" },
    index: 0,
    ...(last ? { finishReason: "STOP" } : {}),
  };
  return `data: ${
    JSON.stringify({ candidates: [candidate], usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 3 } })
  }\r\n\r\n`;
}

export { words };

/** Starts the fake model on a free loopback port. */
export async function startGeminiServer(): Promise<GeminiServer> {
  const requests: GeminiRequest[] = [];
  const sockets = new Set<import("node:net").Socket>();
  const server: GeminiServer = {
    baseUrl: "",
    requests,
    respond: (request) => ({ deltas: words(`You said ${request.body.contents.at(-1)?.parts[0]?.text ?? ""}`) }),
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
    const request: GeminiRequest = {
      url: req.url ?? "",
      apiKey: req.headers["x-goog-api-key"] as string | undefined,
      body: JSON.parse(raw),
      closed,
      deltasSent: 0,
    };
    requests.push(request);
    const script = server.respond(request);
    if (script.hang) return;
    if (script.startDelayMs) await sleep(script.startDelayMs);
    if (script.errorStatus) {
      finished = true;
      res.writeHead(script.errorStatus, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ error: { code: script.errorStatus, message: UPSTREAM_ERROR_TEXT, status: "UNAVAILABLE" } }),
      );
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    const deltas = script.deltas ?? [];
    for (let i = 0; i < deltas.length; i++) {
      if (script.cutAfter !== undefined && i >= script.cutAfter) {
        await sleep(50); // let the deltas already written reach the client before the connection drops
        res.destroy();
        return;
      }
      if (script.delayMs) await sleep(script.delayMs);
      if (res.destroyed) return;
      res.write(chunk(deltas[i], i === deltas.length - 1 && !script.malformed));
      request.deltasSent++;
    }
    if (script.functionCalls) {
      const parts = script.functionCalls.map((functionCall) => ({ functionCall }));
      res.write(`data: ${JSON.stringify({ candidates: [{ content: { parts, role: "model" }, index: 0, finishReason: "STOP" }] })}\r\n\r\n`);
    }
    if (script.malformed) res.write("data: {not json\r\n\r\n");
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
  server.baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return server;
}

/** The fake Gemini server seen through the fakes' common interface (tests/support/model-fake.ts). */
export function geminiFake(server: GeminiServer): ModelFake {
  const read = (request: GeminiRequest): ModelRequest => {
    const turns: [string, string][] = [];
    const toolResults: ModelRequest["toolResults"] = [];
    for (const content of request.body.contents) {
      const text = content.parts.map((part) => part.text ?? "").join("");
      if (text) turns.push([content.role === "model" ? "assistant" : content.role, text]);
      for (const part of content.parts) {
        if (part.functionResponse) toolResults.push({ name: part.functionResponse.name, response: part.functionResponse.response });
      }
    }
    return {
      apiKey: request.apiKey,
      system: request.body.systemInstruction?.parts.map((part) => part.text).join("") ?? "",
      turns,
      toolNames: request.body.tools?.flatMap((tool) => tool.functionDeclarations.map((d) => d.name)) ?? [],
      toolResults,
      closed: request.closed,
      deltasSent: request.deltasSent,
    };
  };
  let current: (request: ModelRequest) => ModelScript = echo;
  return {
    get requests() {
      return server.requests.map(read);
    },
    get respond() {
      return current;
    },
    set respond(script: (request: ModelRequest) => ModelScript) {
      current = script;
      server.respond = (request) => script(read(request));
    },
    close: () => server.close(),
  };
}
