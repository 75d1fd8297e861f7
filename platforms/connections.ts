/**
 * What the long-running servers (Bun, Deno, Node) share about connections: an idle timeout that never cuts a reply
 * stream, and closing the connection of an upload that stalled (the app answers it 408 after `BODY_TIMEOUT_MS`).
 */
import { ConfigError } from "../lib/errors.ts";

/**
 * `IDLE_TIMEOUT_SECONDS` (1 to 255, Bun's limit; default 30): a connection that sends and receives nothing for this
 * long is closed. SSE replies are exempt, since a turn may stay quiet while the model thinks (the model timeout
 * bounds them instead).
 */
export function idleTimeoutSeconds(env: Record<string, string | undefined>): number {
  const raw = env.IDLE_TIMEOUT_SECONDS?.trim();
  if (!raw) return 30;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 255) {
    throw new ConfigError(`IDLE_TIMEOUT_SECONDS must be a whole number from 1 to 255 (got "${raw.slice(0, 20)}")`);
  }
  return value;
}

/** Whether a response is a reply stream (SSE), which an idle timeout must not cut. */
export function isEventStream(response: Response): boolean {
  return response.headers.get("content-type")?.startsWith("text/event-stream") ?? false;
}

/** The app's answer to a body that did not arrive in time (`BODY_TIMEOUT_MS`). */
export function isStalledUpload(response: Response): boolean {
  return response.status === 408;
}

/** `response` with `connection: close`: Bun and Node then close the connection once it is sent. */
export function withConnectionClose(response: Response): Response {
  const headers = new Headers(response.headers);
  headers.set("connection", "close");
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
