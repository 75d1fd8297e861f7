/** Builds and sends signed Layercode webhooks in tests. */
import { signWebhook } from "../../lib/signature.ts";
import { readFrames, type ResponseFrame } from "../../client/mod.ts";

export const SECRET = "test_webhook_secret";

let counter = 0;
/** A unique id for conversations and turns. */
export const uid = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${++counter}`;

/** A `message` webhook body with a fresh turn id. */
export function messageBody(conversation: string, text: string, extra: Record<string, unknown> = {}) {
  return {
    type: "message",
    session_id: "sess_test",
    conversation_id: conversation,
    turn_id: uid("turn"),
    text,
    ...extra,
  };
}

/** A signed webhook request for `url` (a full URL). */
export async function webhook(
  url: string,
  body: Record<string, unknown> | string,
  options: { secret?: string; timestamp?: number; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Request> {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  return new Request(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "layercode-signature": await signWebhook(raw, options.secret ?? SECRET, options.timestamp),
      ...options.headers,
    },
    body: raw,
    signal: options.signal,
  });
}

/** Reads every frame of an SSE response. */
export async function frames(response: Response): Promise<ResponseFrame[]> {
  const all: ResponseFrame[] = [];
  for await (const frame of readFrames(response.body!)) all.push(frame);
  return all;
}

/** The spoken text of a turn's frames. */
export function spoken(all: ResponseFrame[]): string {
  return all.map((f) => (f.type === "response.tts" ? f.content : "")).join("");
}

/**
 * Reads an SSE stream until its first frame (`data:`) and returns the text read so far: every turn opens with an
 * SSE comment line (`:`) so that its headers go out at once, before the model's first delta.
 */
export async function readUntilFirstFrame(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes("data:")) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  return text;
}
