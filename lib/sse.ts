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
  const content = frame.type === "response.end" ? undefined : JSON.stringify(frame.content) as string | undefined;
  return 'data: {"type":' + JSON.stringify(frame.type) + (content === undefined ? "" : ',"content":' + content) + tail;
}

const tailOf = (turnId: string) => ',"turn_id":' + JSON.stringify(turnId) + "}\n\n";

/** Encodes one frame as `data: <compact JSON>\n\n`. */
export function encodeFrame(frame: ResponseFrame): Uint8Array {
  return encoder.encode(frameText(frame, tailOf(frame.turn_id)));
}

/** An encoder for the frames of one turn: {@link encodeFrame}'s bytes, with the turn id serialized once. */
export function createFrameEncoder(turnId: string): (frame: ResponseFrame) => Uint8Array {
  const tail = tailOf(turnId);
  return (frame) => encoder.encode(frameText(frame, frame.turn_id === turnId ? tail : tailOf(frame.turn_id)));
}

/** Headers of every SSE answer. */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
};
