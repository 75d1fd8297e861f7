// The "remote store" bench section (bench/remote.mjs): its latency proxy passes bytes on intact, in order and no
// sooner than its delay; its count of round trips before the model follows the operations' order; and on the real
// runtime, its server reports the store operations the app really made (the delaying store, and Redis and Upstash
// behind the proxy), none for the official path.
import assert from "node:assert/strict";
import { createServer, connect, type Server, type Socket } from "node:net";
import { after, test } from "node:test";
import { startLatencyProxy } from "../bench/latency-proxy.mjs";
import { remoteStore, roundTripsBefore } from "../bench/remote.mjs";
import { connectTestRedis, REDIS_URL } from "./support/redis.ts";
import { currentRuntime } from "./support/server-process.ts";

interface Op {
  op: string;
  key: string;
  start: number;
  end?: number;
}

test("round trips before the model count operations that ran one after the other, overlapping ones once", () => {
  const sequential: Op[] = [
    { op: "set", key: "replay", start: 0.1, end: 25.1 },
    { op: "get", key: "conv", start: 25.3, end: 50.3 },
    { op: "set", key: "conv", start: 50.5, end: 75.5 },
  ];
  assert.deepEqual(roundTripsBefore(sequential, 75.7), { count: 3, steps: "replay set → conv get → conv set" });

  const concurrent: Op[] = [
    { op: "set", key: "replay", start: 0.1, end: 25.2 },
    { op: "get", key: "conv", start: 0.2, end: 25.1 },
    { op: "set", key: "conv", start: 25.4 },
  ];
  assert.deepEqual(roundTripsBefore(concurrent, 25.5), { count: 1, steps: "conv get ‖ replay set (in flight: conv set)" });

  assert.deepEqual(roundTripsBefore([], 0.1), { count: 0, steps: "no store operation" });
  // An operation still running when the model is asked is not a round trip before it.
  assert.deepEqual(roundTripsBefore([{ op: "get", key: "conv", start: 0.1, end: 25.1 }], 1), {
    count: 0,
    steps: "no store operation (in flight: conv get)",
  });
});

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)));
}

test("the latency proxy passes every byte on in order, both ways, no sooner than its delay each way", async () => {
  const sockets = new Set<Socket>();
  // An echo server that answers each chunk at once.
  const echo = createServer((socket) => {
    sockets.add(socket);
    socket.on("data", (chunk) => socket.write(chunk));
    socket.on("error", () => {});
  });
  const echoPort = await listen(echo);
  const proxy = await startLatencyProxy({ targetPort: echoPort, oneWayMs: 20 });
  try {
    const client = connect({ host: "127.0.0.1", port: proxy.port });
    client.on("error", () => {});
    await new Promise((resolve) => client.once("connect", resolve));
    const payload = Buffer.alloc(256 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7 + (i >> 10)) & 0xff;
    const received: Buffer[] = [];
    let length = 0;
    const start = performance.now();
    let firstBack: number | undefined;
    const whole = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${length} of ${payload.length} bytes came back in 10 s`)), 10_000);
      client.on("data", (chunk: Buffer) => {
        firstBack ??= performance.now() - start;
        received.push(chunk);
        length += chunk.length;
        if (length >= payload.length) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    client.write(payload);
    await whole;
    client.destroy();
    assert.ok(Buffer.concat(received).equals(payload), "the echo through the proxy is the payload, byte for byte");
    assert.ok(firstBack! >= 40, `the first bytes came back after ${firstBack!.toFixed(1)} ms, before 2 × 20 ms`);
  } finally {
    await proxy.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => echo.close(resolve));
  }
});

const runtime = currentRuntime();
const redis = await connectTestRedis();
after(async () => {
  await redis.client?.close();
});

test(
  `on ${runtime}, the remote-store server reports the store operations before the model, and none for the official path`,
  { skip: runtime === "node" ? "the bench servers run on Bun and Deno" : undefined },
  async () => {
    assert.equal(redis.error, undefined, redis.error ?? "");
    const only = redis.skip ? ["delay", "official"] : ["delay", "redis", "upstash", "official"];
    const rttMs = 10;
    const result = await remoteStore(runtime, { turns: 4, warmUpTurns: 2, rttMs, redisUrl: REDIS_URL, only });
    assert.deepEqual(Object.keys(result.subjects), only);
    for (const name of only) {
      const s = result.subjects[name];
      assert.equal(s.skipped, undefined, `${name}: ${s.skipped}`);
      assert.equal(s.samples, 4, name);
      assert.ok(s.firstFrameMs.min > 0, `${name}: a first frame was timed`);
      const trips = Object.entries(s.roundTrips as Record<string, number>);
      if (name === "official") {
        assert.deepEqual(s.roundTrips, { 0: 4 });
        assert.deepEqual(s.opsPerTurn, { get: 0, set: 0, delete: 0 });
        continue;
      }
      // The user's message and the reply are stored; each round trip before the model took the store's delay.
      assert.ok(s.opsPerTurn.set >= 1, `${name}: ${JSON.stringify(s.opsPerTurn)}`);
      assert.ok(s.storeOpMs.min >= rttMs, `${name}: a store operation took ${s.storeOpMs.min} ms, less than the ${rttMs} ms round trip`);
      const fewest = Math.min(...trips.map(([n]) => Number(n)));
      assert.ok(s.modelAskedMs.min >= fewest * rttMs, `${name}: the model was asked ${s.modelAskedMs.min} ms after ${fewest} round trips`);
      assert.ok(s.pathBeforeModel.length > 0 && s.pathBeforeModel.every((p: { path: string }) => p.path.length > 0));
    }
  },
);
