/**
 * Split: the limit plus ours' signature check (`verifySignature` from lib/signature.ts, WebCrypto) over the raw
 * body. The gap to the limit is what verification costs under load.
 */
import { verifySignature } from "../../lib/signature.ts";
import { FIXED_TURN_ID, frames, SECRET } from "../fixture.mjs";
import limit from "./limit.ts";

const encoder = new TextEncoder();
const FRAMES = frames(FIXED_TURN_ID).map((frame) => encoder.encode(frame));
const options = { secrets: [SECRET] };

export default {
  async fetch(request: Request): Promise<Response> {
    const body = new Uint8Array(await request.arrayBuffer());
    await verifySignature(request.headers.get("layercode-signature"), body, options);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const frame of FRAMES) controller.enqueue(frame);
        controller.close();
      },
    });
    return new Response(stream, { headers: limit.headers });
  },
};
