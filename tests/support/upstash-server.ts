/**
 * A local server that speaks Upstash Redis's REST protocol on top of a real Redis, so that the real
 * `@upstash/redis` client can be tested offline:
 * - `POST /` with a JSON command array (`["SET", "k", "v"]`) answers `{ "result": ... }`, or `{ "error": "..." }`
 *   with status 400 when Redis refuses the command;
 * - `POST /pipeline` with an array of commands answers an array of `{ result }` / `{ error }`, in order;
 * - `POST /multi-exec` runs the commands as one MULTI/EXEC transaction, answered like a pipeline;
 * - `Authorization: Bearer <token>` is required (401 `{ "error": "Unauthorized" }` otherwise);
 * - with `Upstash-Encoding: base64`, every string in a result is the base64 of its UTF-8 bytes, except the status
 *   reply `OK`, which Upstash sends as it is (numbers, nulls and arrays keep their JSON shape).
 * Not implemented, as the SDK's commands never use them: path-style commands (`GET /get/key`), streaming.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createClient } from "redis";

/** A running server. */
export interface UpstashServer {
  /** `http://127.0.0.1:<port>`, the `url` of `new Redis({ url, token })`. */
  url: string;
  token: string;
  /** Commands received so far (a pipeline counts each of its commands). */
  commands: string[][];
  close(): Promise<void>;
}

/** Options of {@link startUpstashServer}. */
export interface UpstashServerOptions {
  /** The real Redis behind it. */
  redisUrl: string;
  /** The bearer token clients must send. @default "test-token" */
  token?: string;
}

type Reply = string | number | null | Reply[];

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function encode(reply: Reply): Reply {
  if (Array.isArray(reply)) return reply.map(encode);
  return typeof reply === "string" && reply !== "OK" ? base64(reply) : reply;
}

function isCommand(value: unknown): value is unknown[] {
  return Array.isArray(value) && value.length > 0;
}

/** Starts the server on a free loopback port, with its own connection to Redis. */
export async function startUpstashServer(options: UpstashServerOptions): Promise<UpstashServer> {
  const token = options.token ?? "test-token";
  // RESP2: the REST API answers in RESP2's shapes (a hash is a flat array, a boolean is 1 or 0).
  const redis = createClient({ url: options.redisUrl, RESP: 2, socket: { reconnectStrategy: false } });
  redis.on("error", () => {});
  await redis.connect();
  const commands: string[][] = [];
  const sockets = new Set<Socket>();

  async function run(command: unknown[]): Promise<Reply> {
    const args = command.map((arg) => typeof arg === "string" ? arg : JSON.stringify(arg));
    commands.push(args);
    return await redis.sendCommand(args) as Reply;
  }

  const settle = (base64Encoding: boolean) => async (work: Promise<Reply>) => {
    try {
      const result = await work;
      return { result: base64Encoding ? encode(result) : result };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${token}`) return send(401, { error: "Unauthorized" });
    if (req.method !== "POST") return send(405, { error: "use POST" });
    let raw = "";
    req.setEncoding("utf8"); // a character split across two chunks is decoded whole
    for await (const part of req) raw += part;
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return send(400, { error: "ERR failed to parse the request body as JSON" });
    }
    const answer = settle(String(req.headers["upstash-encoding"]).toLowerCase() === "base64");
    const path = new URL(req.url ?? "/", "http://localhost").pathname.replace(/\/+$/, "") || "/";
    if (path === "/") {
      if (!isCommand(body)) return send(400, { error: "ERR the body must be a command array" });
      const reply = await answer(run(body));
      return send("error" in reply ? 400 : 200, reply);
    }
    if (path === "/pipeline" || path === "/multi-exec") {
      if (!Array.isArray(body) || !body.every(isCommand)) {
        return send(400, { error: "ERR the body must be an array of command arrays" });
      }
      if (path === "/pipeline") {
        const replies = [];
        for (const command of body) replies.push(await answer(run(command)));
        return send(200, replies);
      }
      const multi = redis.multi();
      for (const command of body) {
        const args = command.map((arg) => typeof arg === "string" ? arg : JSON.stringify(arg));
        commands.push(args);
        multi.addCommand(args);
      }
      try {
        const results = await multi.exec() as unknown as Reply[];
        return send(200, await Promise.all(results.map((result) => answer(Promise.resolve(result)))));
      } catch (error) {
        return send(400, { error: error instanceof Error ? error.message : String(error) });
      }
    }
    return send(404, { error: `ERR unknown path ${path}` });
  }

  const http = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: String(error) }));
    });
  });
  http.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    commands,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await redis.close();
    },
  };
}
