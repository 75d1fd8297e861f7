/**
 * The limit: a plain Web-standard handler, no framework, no verification, no storage. It reads the body (any
 * webhook handler must) and answers `new Response(readableStream)` with the turn's 22 frames, pre-encoded once.
 */
import { FIXED_TURN_ID, frames } from "../fixture.mjs";

const encoder = new TextEncoder();
const FRAMES = frames(FIXED_TURN_ID).map((frame) => encoder.encode(frame));
const HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
};

export default {
  headers: HEADERS,
  async fetch(request: Request): Promise<Response> {
    await request.arrayBuffer();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const frame of FRAMES) controller.enqueue(frame);
        controller.close();
      },
    });
    return new Response(body, { headers: HEADERS });
  },
};
