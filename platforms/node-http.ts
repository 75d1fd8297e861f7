/**
 * Serving through `node:http` (@hono/node-server), shared by the Node entry and the self-hosted Deno entry: a silent
 * connection is closed after `IDLE_TIMEOUT_SECONDS` (a stalled upload too, after its 408), reply streams excepted.
 */
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { isEventStream, isStalledUpload, withConnectionClose } from "./connections.ts";

/** Options of {@link serveNodeHttp}. */
export interface ServeNodeHttpOptions {
  hostname: string;
  port: number;
  idleTimeoutSeconds: number;
  /** Called once the server listens, with the port it got. */
  onListen: (port: number) => void;
}

type NodeBindings = { incoming: { socket: { setTimeout(ms: number): unknown } } };

/** Serves `app` over `node:http` with the idle timeout and the stalled-upload close; resolves the server. */
export function serveNodeHttp(
  app: { fetch: (request: Request, env: NodeBindings) => Response | Promise<Response> },
  options: ServeNodeHttpOptions,
): Server {
  const server = serve({
    hostname: options.hostname,
    port: options.port,
    async fetch(request, bindings: NodeBindings) {
      const response = await app.fetch(request, bindings);
      // A reply stream may stay quiet while the model thinks: no idle timeout on its socket (the model timeout bounds it).
      if (isEventStream(response)) bindings.incoming.socket.setTimeout(0);
      return isStalledUpload(response) ? withConnectionClose(response) : response;
    },
  }, (info) => options.onListen(info.port)) as Server;
  // A silent connection is closed (a stalled upload too), SSE answers excepted (above).
  server.setTimeout(options.idleTimeoutSeconds * 1000, (socket) => socket.destroy());
  return server;
}
