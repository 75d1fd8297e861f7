/**
 * Split: the limit's handler, but shaped as ours streams: the frames come from the scripted model's async generator,
 * encoded per chunk (`encodeFrame` from lib/sse.ts) and enqueued after `start()` has returned. No verification, no
 * store, no framework. The gap to the limit is what streaming frame by frame costs.
 */
import { encodeFrame } from "../../lib/sse.ts";
import { FIXED_TURN_ID, scriptedModel } from "../fixture.mjs";
import limit from "./limit.ts";

type Chunk = string | { data: unknown };

async function pump(controller: ReadableStreamDefaultController<Uint8Array>) {
  for await (const chunk of scriptedModel.stream() as AsyncIterable<Chunk>) {
    controller.enqueue(
      encodeFrame(
        typeof chunk === "string"
          ? { type: "response.tts", content: chunk, turn_id: FIXED_TURN_ID }
          : { type: "response.data", content: chunk.data, turn_id: FIXED_TURN_ID },
      ),
    );
  }
  controller.enqueue(encodeFrame({ type: "response.end", turn_id: FIXED_TURN_ID }));
  controller.close();
}

export default {
  async fetch(request: Request): Promise<Response> {
    await request.arrayBuffer();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        pump(controller).catch(() => {});
      },
    });
    return new Response(body, { headers: limit.headers });
  },
};
