import assert from "node:assert/strict";
import { test } from "node:test";
import { readFrames } from "../client/mod.ts";
import { createFrameEncoder, encodeFrame, type ResponseFrame } from "../lib/sse.ts";

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

/** A body of the given text, in chunks of `size` characters. */
function bodyOf(text: string, size = text.length): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += size) controller.enqueue(bytes.slice(i, i + size));
      controller.close();
    },
  });
}

async function readAll(body: ReadableStream<Uint8Array>): Promise<ResponseFrame[]> {
  const read: ResponseFrame[] = [];
  for await (const frame of readFrames(body)) read.push(frame);
  return read;
}

const TTS: ResponseFrame = { type: "response.tts", content: "Hi", turn_id: "t" };
const END: ResponseFrame = { type: "response.end", turn_id: "t" };

test("readFrames() reads a CRLF-delimited stream, split anywhere", async () => {
  const text = `data: ${JSON.stringify(TTS)}\r\n\r\n: a comment\r\nevent: message\r\ndata: ${
    JSON.stringify(END)
  }\r\n\r\n`;
  for (const size of [1, 2, 5, text.length]) {
    assert.deepEqual(await readAll(bodyOf(text, size)), [TTS, END], `chunks of ${size}`);
  }
});

test("readFrames() reads a last event that has no blank line after it", async () => {
  for (const ending of ["", "\n", "\r\n", "\r"]) {
    const text: string = `data: ${JSON.stringify(TTS)}\n\ndata: ${JSON.stringify(END)}${ending}`;
    assert.deepEqual(await readAll(bodyOf(text, 3)), [TTS, END], JSON.stringify(ending));
  }
});

test("readFrames() joins the data lines of one event and skips events without data", async () => {
  const text = `id: 1\n\ndata: {"type":"response.tts",\ndata: "content":"Hi","turn_id":"t"}\n\n`;
  assert.deepEqual(await readAll(bodyOf(text, 4)), [TTS]);
});

for (const shareBuffers of [true, false]) {
  test(`a turn's frame encoder${shareBuffers ? " sharing buffers" : ""} writes encodeFrame()'s bytes, which are JSON.stringify(frame)'s, and earlier frames' bytes never change`, () => {
    const encode = createFrameEncoder("turn_1", shareBuffers);
    const frames: ResponseFrame[] = [
      { type: "response.data", content: { isThinking: false, nested: ["a", 1, null] }, turn_id: "turn_1" },
      { type: "response.data", content: undefined, turn_id: "turn_1" },
      { type: "response.data", content: 'text "quoted" \u2028', turn_id: "turn_1" },
      { type: "response.tts", content: "héllo wörld 👋\n", turn_id: "turn_1" },
      { type: "response.tts", content: "x".repeat(3000), turn_id: "turn_1" },
      { type: "response.tts", content: "another turn's id", turn_id: 'turn "2"' },
      { type: "response.end", turn_id: "turn_1" },
    ];
    const out: { bytes: Uint8Array; copy: Uint8Array }[] = [];
    for (let round = 0; round < 40; round++) {
      for (const frame of frames) {
        const bytes = encode(frame);
        out.push({ bytes, copy: bytes.slice() });
        assert.deepEqual(bytes, encodeFrame(frame));
        assert.equal(new TextDecoder().decode(bytes), `data: ${JSON.stringify(frame)}\n\n`);
      }
    }
    for (const { bytes, copy } of out) assert.deepEqual(bytes, copy, "an earlier frame was overwritten");
  });
}
