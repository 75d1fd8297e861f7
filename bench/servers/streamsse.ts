/**
 * For reference: a bare Hono route writing the same 22 frames with Hono's `streamSSE` helper (one awaited
 * `writeSSE` per frame), with no verification and no storage, reading the body as the limit does.
 */
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { FIXED_TURN_ID, frameJson } from "../fixture.mjs";

const FRAMES = frameJson(FIXED_TURN_ID);
const app = new Hono();

app.post("/agent", async (c) => {
  await c.req.arrayBuffer();
  return streamSSE(c, async (stream) => {
    for (const data of FRAMES) await stream.writeSSE({ data });
  });
});

export default { fetch: app.fetch };
