/** A frame of the SSE answer to a `message` or `session.start` webhook. */
export type ResponseFrame =
  | { type: "response.tts"; content: string; turn_id: string }
  | { type: "response.data"; content: unknown; turn_id: string }
  | { type: "response.end"; turn_id: string };

const encoder = new TextEncoder();

/**
 * The text of one frame, `data: <compact JSON>\n\n`, by concatenation: only the content (and the turn id, which a
 * turn's encoder serializes once) goes through `JSON.stringify` whole. The same bytes as `JSON.stringify(frame)`
 * with the keys in the order of {@link ResponseFrame} (`type`, `content`, `turn_id`), a `content` of `undefined` left out.
 */
function frameText(frame: ResponseFrame, tail: string): string {
  if (frame.type === "response.end") return 'data: {"type":"response.end"' + tail;
  const content = JSON.stringify(frame.content) as string | undefined;
  const head = frame.type === "response.tts" ? 'data: {"type":"response.tts"' : 'data: {"type":' + JSON.stringify(frame.type);
  return content === undefined ? head + tail : head + ',"content":' + content + tail;
}

const tailOf = (turnId: string) => ',"turn_id":' + JSON.stringify(turnId) + "}\n\n";

/** Encodes one frame as `data: <compact JSON>\n\n`. */
export function encodeFrame(frame: ResponseFrame): Uint8Array {
  return encoder.encode(frameText(frame, tailOf(frame.turn_id)));
}

/**
 * Whether a turn's frames share buffers by default: on V8 (Deno, Node, workerd) every `ArrayBuffer` is allocated
 * outside the JavaScript heap, and allocating a frame's buffer cost more than encoding it (Deno: about 0.8 µs a frame
 * with `encode()`, 0.2 µs into a shared buffer); JavaScriptCore (Bun) allocates a small one in its heap, and there
 * `encode()` is the cheaper (views cost twice as much in a profile of 20,000 turns).
 */
const SHARE = !(globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent?.startsWith("Bun/");

/**
 * An encoder for the frames of one turn: {@link encodeFrame}'s bytes, with the turn id serialized once; where
 * allocating buffers is dear (`shareBuffers`, default {@link SHARE}), encoded into views of one 4 KB buffer per few
 * dozen frames rather than a buffer each. A frame's bytes are never written again once returned.
 */
export function createFrameEncoder(turnId: string, shareBuffers = SHARE): (frame: ResponseFrame) => Uint8Array {
  const tail = tailOf(turnId);
  let buffer = new Uint8Array(0);
  let offset = 0;
  return (frame) => {
    const text = frameText(frame, frame.turn_id === turnId ? tail : tailOf(frame.turn_id));
    if (!shareBuffers || text.length > 1024) return encoder.encode(text);
    if (buffer.length - offset < 3 * text.length) buffer = new Uint8Array(4096), offset = 0;
    const start = offset;
    offset += encoder.encodeInto(text, buffer.subarray(start)).written;
    return buffer.subarray(start, offset);
  };
}

/** Headers of every SSE answer. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
};
