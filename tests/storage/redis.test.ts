// Redis over TCP: the real redis-server at REDIS_URL (.ci/redis.sh starts one), through the real `redis` client.
// Expiry is Redis's own (PEXPIRE), so that case waits a second and a half.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { createHistory } from "../../lib/history.ts";
import { createRedisStore, openRedisStore, type RedisStore } from "../../storage/redis.ts";
import { connectTestRedis, startRedisProcess } from "../support/redis.ts";
import { storageSuite } from "../support/store-suite.ts";

const redis = await connectTestRedis();
const opened: RedisStore[] = [];
after(async () => {
  await redis.client?.close();
  await Promise.all(opened.map((store) => store.close().catch(() => {})));
});

function client() {
  if (!redis.client) throw new Error(redis.error);
  return redis.client;
}

storageSuite({
  name: "redis",
  atomic: true,
  expiry: { engineTtlSeconds: 1, waitMs: 1500 },
  skip: redis.skip,
  create: () => createRedisStore({ client: client(), prefix: "test:" }),
  down: async () => {
    const server = await startRedisProcess();
    const store = await openRedisStore({ url: server.url });
    opened.push(store);
    await server.kill();
    return store;
  },
});

const it = (title: string, fn: () => Promise<void>) =>
  redis.skip ? test(title, { skip: redis.skip }, fn) : test(title, fn);

it("redis: a conversation is one hash { v, d } with a millisecond expiry, readable by any Redis client", async () => {
  const store = createRedisStore({ client: client(), prefix: "test:" });
  const id = crypto.randomUUID();
  await createHistory(store, { ttlSeconds: 90 }).begin(id, { role: "user", text: "hi", turnId: "t1", at: 1 });
  const hash = await client().hGetAll(`test:conv:${id}`);
  assert.deepEqual(Object.keys(hash).toSorted(), ["d", "v"]);
  assert.deepEqual(JSON.parse(hash.d).messages[0].text, "hi");
  const ttl = await client().pTTL(`test:conv:${id}`);
  assert.ok(ttl > 85_000 && ttl <= 90_000, `PTTL ${ttl}`);
});

it("redis: after SCRIPT FLUSH the store sends its script again and the write goes through", async () => {
  const store = createRedisStore({ client: client(), prefix: "test:" });
  const key = `conv:${crypto.randomUUID()}`;
  await store.set(key, "before", { expected: null, ttlSeconds: 60 });
  await client().scriptFlush();
  const current = await store.get(key);
  assert.equal(typeof await store.set(key, "after", { expected: current!.version, ttlSeconds: 60 }), "string");
  assert.equal((await store.get(key))?.value, "after");
});

it("redis: openRedisStore() rejects at once when nothing listens at the URL", async () => {
  await assert.rejects(openRedisStore({ url: "redis://127.0.0.1:1" }), /ECONNREFUSED/);
});
