/// <reference lib="deno.unstable" />
// storeFromEnv(): which store an environment picks, and the errors of a misconfigured one. The stores it opens are
// real: Redis and the local Upstash server on the real redis-server at REDIS_URL, Deno KV files under Deno.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Redis } from "@upstash/redis";
import { ConfigError } from "../../lib/errors.ts";
import { createHistory } from "../../lib/history.ts";
import { createDenoKvStore } from "../../storage/deno-kv.ts";
import { chooseStore, type StoreOpeners, storeFromEnv } from "../../storage/from-env.ts";
import { openRedisStore, type RedisStore } from "../../storage/redis.ts";
import type { ConversationStore } from "../../storage/types.ts";
import { createUpstashStore } from "../../storage/upstash.ts";
import { connectTestRedis, freePort, REDIS_URL } from "../support/redis.ts";
import { startUpstashServer, type UpstashServer } from "../support/upstash-server.ts";

const kvBinding = { getWithMetadata() {}, put() {}, delete() {} };
const doBinding = { idFromName() {}, get() {} };
const unused = () => Promise.reject(new Error("not opened in this case"));
const all: StoreOpeners = { denoKv: unused, redis: unused, upstash: unused };

/** Asserts a ConfigError whose message matches every pattern. */
const configError = (...patterns: RegExp[]) => (error: unknown) => {
  assert.ok(error instanceof ConfigError, `a ConfigError, got ${error}`);
  for (const pattern of patterns) assert.match(error.message, pattern);
  return true;
};

test("chooseStore() picks memory when nothing is configured", () => {
  assert.deepEqual(chooseStore({}), { name: "memory", reason: "default" });
  assert.deepEqual(chooseStore({}, all), { name: "memory", reason: "default" });
});

test("chooseStore() follows SESSION_STORE, whatever else is set, in any case and with spaces", () => {
  for (const name of ["memory", "deno-kv", "cloudflare-kv", "durable-object", "redis", "upstash"]) {
    const env = { SESSION_STORE: ` ${name.toUpperCase()} `, SESSIONS: kvBinding, REDIS_URL: "redis://h" };
    assert.deepEqual(chooseStore(env, all), { name, reason: `SESSION_STORE=${name}` });
  }
});

test("chooseStore() rejects an unknown SESSION_STORE, listing the names, and points unstorage to code", () => {
  assert.throws(() => chooseStore({ SESSION_STORE: "mongo" }), configError(/^SESSION_STORE must be one of memory, deno-kv, cloudflare-kv, durable-object, redis, upstash \(got "mongo"\)$/));
  assert.throws(() => chooseStore({ SESSION_STORE: "unstorage" }), configError(/createUnstorageStore/));
});

test("chooseStore() picks the Workers store from the SESSIONS binding's kind: KV namespace or Durable Object", () => {
  assert.equal(chooseStore({ SESSIONS: kvBinding, REDIS_URL: "redis://h", UPSTASH_REDIS_REST_URL: "https://u" }, all).name, "cloudflare-kv");
  assert.equal(chooseStore({ SESSIONS: doBinding }).name, "durable-object");
  assert.equal(chooseStore({ SESSIONS: "a string is not a binding" }).name, "memory");
});

test("chooseStore() picks Redis from REDIS_URL where it can run, else Upstash's or Vercel KV's variables", () => {
  assert.deepEqual(chooseStore({ REDIS_URL: "redis://h", KV_REST_API_URL: "https://k" }, all), { name: "redis", reason: "REDIS_URL" });
  assert.deepEqual(chooseStore({ REDIS_URL: "redis://h", KV_REST_API_URL: "https://k" }, { upstash: unused }), {
    name: "upstash",
    reason: "KV_REST_API_URL",
  });
  assert.deepEqual(chooseStore({ UPSTASH_REDIS_REST_URL: "https://u" }), { name: "upstash", reason: "UPSTASH_REDIS_REST_URL" });
});

test("chooseStore() refuses REDIS_URL alone where Redis over TCP cannot run, rather than forgetting conversations", () => {
  assert.throws(() => chooseStore({ REDIS_URL: "redis://h" }, { upstash: unused }), configError(/^REDIS_URL is set, but Redis over TCP cannot run/, /UPSTASH_REDIS_REST_URL/, /SESSION_STORE=memory/));
});

test("chooseStore() picks Deno KV from DENO_KV_PATH, and on Deno Deploy only where Deno KV can be opened", () => {
  assert.deepEqual(chooseStore({ DENO_KV_PATH: "/data/kv.db" }), { name: "deno-kv", reason: "DENO_KV_PATH" });
  assert.deepEqual(chooseStore({ DENO_DEPLOYMENT_ID: "abc" }, all), { name: "deno-kv", reason: "Deno Deploy" });
  assert.deepEqual(chooseStore({ DENO_DEPLOYMENT_ID: "abc" }), { name: "memory", reason: "default" });
  assert.equal(chooseStore({ DENO_DEPLOYMENT_ID: "abc", UPSTASH_REDIS_REST_URL: "https://u" }, all).name, "upstash");
});

test("storeFromEnv() opens memory by default and the Workers stores on their bindings", async () => {
  assert.equal((await storeFromEnv({})).name, "memory");
  assert.equal((await storeFromEnv({ SESSIONS: kvBinding })).name, "cloudflare-kv");
  assert.equal((await storeFromEnv({ SESSIONS: doBinding })).name, "durable-object");
});

test("storeFromEnv() names the binding and the wrangler.toml fix when a Workers store has no SESSIONS binding", async () => {
  await assert.rejects(storeFromEnv({ SESSION_STORE: "cloudflare-kv" }), configError(/SESSIONS/, /\[\[kv_namespaces\]\]/));
  await assert.rejects(storeFromEnv({ SESSION_STORE: "durable-object", SESSIONS: kvBinding }), configError(/SESSIONS/, /ConversationObject/));
});

test("storeFromEnv() names the missing variable: REDIS_URL, or Upstash's URL or token", async () => {
  await assert.rejects(storeFromEnv({ SESSION_STORE: "redis" }, all), configError(/^REDIS_URL is not set/));
  await assert.rejects(storeFromEnv({ SESSION_STORE: "upstash" }, all), configError(/^UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN .*KV_REST_API_URL/));
  await assert.rejects(storeFromEnv({ UPSTASH_REDIS_REST_URL: "https://u" }, all), configError(/^UPSTASH_REDIS_REST_TOKEN is not set/));
  await assert.rejects(storeFromEnv({ KV_REST_API_TOKEN: "t" }, all), configError(/^KV_REST_API_URL is not set/));
});

test("storeFromEnv() says when this platform entry cannot open the store asked for", async () => {
  await assert.rejects(storeFromEnv({ SESSION_STORE: "redis", REDIS_URL: "redis://h" }), configError(/SESSION_STORE=redis asks for the redis store, which this platform entry cannot open/));
  await assert.rejects(storeFromEnv({ UPSTASH_REDIS_REST_URL: "https://u", UPSTASH_REDIS_REST_TOKEN: "t" }), configError(/openUpstashStore/));
  await assert.rejects(storeFromEnv({ DENO_KV_PATH: "kv.db" }), configError(/Deno KV runs on Deno/));
});

// Real servers: Redis at REDIS_URL, and the local Upstash REST server on it.
const redis = await connectTestRedis();
const upstash: UpstashServer | undefined = redis.client ? await startUpstashServer({ redisUrl: REDIS_URL }) : undefined;
const opened: ConversationStore[] = [];
after(async () => {
  await Promise.all(opened.map((store) => (store as RedisStore).close?.().catch(() => {})));
  await upstash?.close();
  await redis.client?.close();
});
const live = (title: string, fn: () => Promise<void>) =>
  redis.skip ? test(title, { skip: redis.skip }, fn) : test(title, fn);
const openers: StoreOpeners = {
  redis: async (url) => {
    const store = await openRedisStore({ url, connectTimeoutMs: 2000 });
    opened.push(store);
    return store;
  },
  upstash: ({ url, token }) => createUpstashStore({ redis: new Redis({ url, token, retry: false }) }),
};

live("storeFromEnv() opens Redis at REDIS_URL and Upstash from its REST variables, ready to use", async () => {
  if (!upstash) throw new Error(redis.error);
  for (
    const env of [
      { REDIS_URL },
      { UPSTASH_REDIS_REST_URL: upstash.url, UPSTASH_REDIS_REST_TOKEN: upstash.token },
      { KV_REST_API_URL: upstash.url, KV_REST_API_TOKEN: upstash.token },
    ]
  ) {
    const store = await storeFromEnv(env, openers);
    const history = createHistory(store, { ttlSeconds: 60 });
    const id = crypto.randomUUID();
    await history.begin(id, { role: "user", text: "hello", turnId: "t1", at: 1 });
    assert.deepEqual((await history.load(id)).map((m) => m.text), ["hello"], Object.keys(env)[0]);
  }
});

live("storeFromEnv() fails at startup, naming REDIS_URL without its password, when Redis is unreachable", async () => {
  const port = await freePort();
  await assert.rejects(
    storeFromEnv({ REDIS_URL: `redis://user:s3cret@127.0.0.1:${port}` }, openers),
    configError(new RegExp(`^REDIS_URL: cannot reach Redis at redis://127\\.0\\.0\\.1:${port} \\(.*ECONNREFUSED.*\\): start the server or correct REDIS_URL$`)),
  );
  await assert.rejects(storeFromEnv({ REDIS_URL: `redis://user:s3cret@127.0.0.1:${port}` }, openers), (error: Error) => {
    assert.doesNotMatch(error.message, /s3cret/);
    return true;
  });
});

live("storeFromEnv() fails at startup naming the token variable when Upstash refuses it, the URL variable when unreachable", async () => {
  if (!upstash) throw new Error(redis.error);
  await assert.rejects(
    storeFromEnv({ KV_REST_API_URL: upstash.url, KV_REST_API_TOKEN: "wrong" }, openers),
    configError(/^KV_REST_API_TOKEN was refused by http:\/\/127\.0\.0\.1:\d+/),
  );
  const url = `http://127.0.0.1:${await freePort()}`;
  await assert.rejects(
    storeFromEnv({ UPSTASH_REDIS_REST_URL: url, UPSTASH_REDIS_REST_TOKEN: "t" }, openers),
    configError(new RegExp(`^UPSTASH_REDIS_REST_URL: cannot reach Upstash at ${url.replaceAll(".", "\\.")}`)),
  );
});

// Deno KV exists only in the Deno runtime: these cases are registered under Deno alone.
if (typeof Deno !== "undefined") {
  const folder = mkdtempSync(join(tmpdir(), "deno-kv-env-"));
  const databases: Deno.Kv[] = [];
  after(() => {
    for (const kv of databases) kv.close();
    rmSync(folder, { recursive: true, force: true });
  });
  const denoKv = async (path: string | undefined) => {
    const kv = await Deno.openKv(path);
    databases.push(kv);
    return createDenoKvStore({ kv });
  };

  test("storeFromEnv() opens Deno KV at DENO_KV_PATH, and a conversation outlives closing the database", async () => {
    const path = join(folder, "sessions.db");
    const history = createHistory(await storeFromEnv({ DENO_KV_PATH: path }, { denoKv }));
    await history.begin("c1", { role: "user", text: "remember me", turnId: "t1", at: 1 });
    databases.splice(0).forEach((kv) => kv.close());
    const reopened = createHistory(await storeFromEnv({ SESSION_STORE: "deno-kv", DENO_KV_PATH: path }, { denoKv }));
    assert.deepEqual((await reopened.load("c1")).map((m) => m.text), ["remember me"]);
  });

  test("storeFromEnv() names DENO_KV_PATH and the fix when the database cannot be opened there", async () => {
    await assert.rejects(
      storeFromEnv({ DENO_KV_PATH: join(folder, "missing", "folder", "kv.db") }, { denoKv }),
      configError(/^DENO_KV_PATH: cannot open Deno KV at .*missing\/folder\/kv\.db/, /writable file/),
    );
  });
}
