import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeFrame, readFrames, type ResponseFrame } from "../lib/sse.ts";

test("encodeFrame() writes one data line of compact JSON and a blank line", () => {
  const text = new TextDecoder().decode(encodeFrame({ type: "response.tts", content: "Hi\nthere é", turn_id: "t1" }));
  assert.equal(text, 'data: {"type":"response.tts","content":"Hi\\nthere é","turn_id":"t1"}\n\n');
});

test("readFrames() reads frames split anywhere across chunks, multi-byte characters included", async () => {
  const frames: ResponseFrame[] = [
    { type: "response.tts", content: "héllo wörld 👋", turn_id: "t" },
    { type: "response.data", content: { isThinking: true }, turn_id: "t" },
    { type: "response.end", turn_id: "t" },
  ];
  const bytes = new Uint8Array(frames.flatMap((f) => [...encodeFrame(f)]));
  for (const size of [1, 2, 3, 7, bytes.length]) {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += size) controller.enqueue(bytes.slice(i, i + size));
        controller.close();
      },
    });
    const read: ResponseFrame[] = [];
    for await (const frame of readFrames(body)) read.push(frame);
    assert.deepEqual(read, frames, `chunks of ${size} bytes`);
  }
});
