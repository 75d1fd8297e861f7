// Upstash Redis (and Vercel KV): the real `@upstash/redis` client talking Upstash's REST protocol to a local server
// (tests/support/upstash-server.ts) backed by the real redis-server at REDIS_URL. Expiry is Redis's own.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { Redis } from "@upstash/redis";
import { createHistory } from "../../lib/history.ts";
import { createRedisStore } from "../../storage/redis.ts";
import { createUpstashStore } from "../../storage/upstash.ts";
import { connectTestRedis, freePort, REDIS_URL } from "../support/redis.ts";
import { storageSuite } from "../support/store-suite.ts";
import { startUpstashServer, type UpstashServer } from "../support/upstash-server.ts";

const redis = await connectTestRedis();
const server: UpstashServer | undefined = redis.client ? await startUpstashServer({ redisUrl: REDIS_URL }) : undefined;
after(async () => {
  await server?.close();
  await redis.client?.close();
});

/** A client of the local server; `retry: false` so that a refused connection fails at once. */
function client(options: { automaticDeserialization?: boolean } = {}) {
  if (!server) throw new Error(redis.error);
  return new Redis({ url: server.url, token: server.token, retry: false, ...options });
}

storageSuite({
  name: "upstash",
  atomic: true,
  expiry: { engineTtlSeconds: 1, waitMs: 1500 },
  skip: redis.skip,
  create: () => createUpstashStore({ redis: client(), prefix: "test:" }),
  down: async () =>
    createUpstashStore({ redis: new Redis({ url: `http://127.0.0.1:${await freePort()}`, token: "t", retry: false }) }),
});

const it = (title: string, fn: () => Promise<void>) =>
  redis.skip ? test(title, { skip: redis.skip }, fn) : test(title, fn);

it("upstash: values that look like JSON come back as the same text, with or without the client's deserialization", async () => {
  for (const automaticDeserialization of [true, false]) {
    const store = createUpstashStore({ redis: client({ automaticDeserialization }), prefix: "test:" });
    for (const value of ['{"messages":[]}', "  {} ", "123", "1.50", "true", "null", '"quoted"', "é 👋 ’"]) {
      const key = `conv:${crypto.randomUUID()}`;
      await store.set(key, value, { expected: null, ttlSeconds: 60 });
      assert.equal((await store.get(key))?.value, value, `${value} (automaticDeserialization: ${automaticDeserialization})`);
    }
  }
});

it("upstash: scripts go by EVALSHA, sent whole only when the server does not know them", async () => {
  await redis.client!.scriptFlush();
  const store = createUpstashStore({ redis: client(), prefix: "test:" });
  const key = `conv:${crypto.randomUUID()}`;
  const start = server!.commands.length;
  await store.set(key, "one", { expected: null, ttlSeconds: 60 });
  const version = (await store.get(key))!.version;
  await store.set(key, "two", { expected: version, ttlSeconds: 60 });
  const sent = server!.commands.slice(start).map((command) => command[0].toLowerCase());
  assert.deepEqual(sent, ["evalsha", "eval", "evalsha", "eval", "evalsha"]);
});

it("upstash: the Upstash and Redis stores share one layout, so either reads what the other wrote", async () => {
  const upstash = createUpstashStore({ redis: client(), prefix: "test:" });
  const tcp = createRedisStore({ client: redis.client!, prefix: "test:" });
  const id = crypto.randomUUID();
  const state = await createHistory(upstash).begin(id, { role: "user", text: "over REST", turnId: "t1", at: 1 });
  await createHistory(tcp).finish(state, { role: "assistant", text: "over TCP", turnId: "t1", at: 2 });
  assert.deepEqual((await createHistory(upstash).load(id)).map((m) => m.text), ["over REST", "over TCP"]);
});

it("upstash: a refused token fails with the server's answer and never repeats the stored text", async () => {
  const store = createUpstashStore({ redis: new Redis({ url: server!.url, token: "wrong", retry: false }) });
  await assert.rejects(store.set("conv:x", "a secret conversation", { expected: null, ttlSeconds: 60 }), (error: Error) => {
    assert.match(error.message, /^upstash store: set failed: Unauthorized/);
    assert.doesNotMatch(error.message, /secret conversation/);
    return true;
  });
});
