/**
 * Reading an agent's SSE answer, frame by frame, with `eventsource-parser` (the WHATWG event-stream grammar: LF, CRLF
 * or CR line ends, comments, multi-line data).
 * @module
 */
import { createParser } from "eventsource-parser";
import type { ResponseFrame } from "../lib/sse.ts";

/**
 * Reads the frames of an SSE answer as they arrive (for clients and tests). The end of the stream ends a last event
 * that has no blank line after it; an event whose data is not JSON throws.
 * @example
 * for await (const frame of readFrames(response.body!)) console.log(frame.type);
 */
export async function* readFrames(body: ReadableStream<Uint8Array>): AsyncGenerator<ResponseFrame> {
  const data: string[] = [];
  const parser = createParser({ onEvent: (event) => data.push(event.data) });
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    for (const text of data.splice(0)) yield JSON.parse(text) as ResponseFrame;
  }
  parser.feed(decoder.decode() + "\n\n");
  for (const text of data.splice(0)) yield JSON.parse(text) as ResponseFrame;
}
