/**
 * Serves tests/support/upstash-server.ts (Upstash's REST protocol over the real Redis) in its own process for the
 * "remote store" section (bench/remote.mjs): `bun bench/upstash-serve.ts <redis-url>`; prints `{"url":…,"token":…}`
 * and runs until killed.
 */
import { startUpstashServer } from "../tests/support/upstash-server.ts";
import { args } from "./runtime.ts";

const server = await startUpstashServer({ redisUrl: args[0] ?? "redis://127.0.0.1:6390", token: "bench-remote-token" });
console.log(JSON.stringify({ url: server.url, token: server.token }));
