/// <reference lib="deno.unstable" />
// One store round trip before the model (issue 14), proven on real stores behind a 25 ms delay per operation:
// the memory store, the real Redis at REDIS_URL (.ci/redis.sh), and under Deno the real Deno KV engine (Bun has none).
import { after } from "node:test";
import { createMemoryStore } from "../storage/memory.ts";
import { createRedisStore } from "../storage/redis.ts";
import { createDenoKvStore } from "../storage/deno-kv.ts";
import { latencySuite } from "./support/latency-suite.ts";
import { connectTestRedis } from "./support/redis.ts";
import { guardUnhandledRejections } from "./support/unhandled.ts";

const guard = guardUnhandledRejections();
const redis = await connectTestRedis();
after(async () => await redis.client?.close());

latencySuite({ name: "memory", create: () => createMemoryStore(), guard });

latencySuite({
  name: "redis",
  guard,
  skip: redis.skip,
  create: () => {
    if (!redis.client) throw new Error(redis.error);
    return createRedisStore({ client: redis.client, prefix: "test:" });
  },
});

if (typeof Deno !== "undefined") {
  const kv = await Deno.openKv(":memory:");
  after(() => kv.close());
  latencySuite({ name: "deno-kv", guard, create: () => createDenoKvStore({ kv }) });
}
