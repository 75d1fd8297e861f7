/**
 * The real Redis the Redis and Upstash storage tests use: `REDIS_URL`, by default the server `.ci/redis.sh` starts
 * on 127.0.0.1:6390. In CI (`CI=true`) an unreachable Redis fails those tests; elsewhere they are skipped, saying why.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import process from "node:process";
import { createClient } from "redis";
import { sendSignal, within } from "./child.ts";

/** Where the tests find Redis. */
export const REDIS_URL = process.env.REDIS_URL?.trim() || "redis://127.0.0.1:6390";

const testClient = () =>
  createClient({ url: REDIS_URL, socket: { connectTimeout: 2000, reconnectStrategy: false } });

/** A connected client for the tests, or why there is none. */
export interface TestRedis {
  client?: ReturnType<typeof testClient>;
  /** Why the Redis tests are skipped (never set in CI). */
  skip?: string;
  /** Why Redis is unreachable, for the failure message in CI. */
  error?: string;
}

/** Connects to the test Redis once, without retrying. */
export async function connectTestRedis(): Promise<TestRedis> {
  const client = testClient();
  client.on("error", () => {});
  try {
    await client.connect();
    return { client };
  } catch (cause) {
    const error = `Redis is unreachable at ${REDIS_URL} (${cause instanceof Error ? cause.message : cause}): ` +
      "run .ci/redis.sh, or set REDIS_URL";
    return process.env.CI === "true" ? { error } : { skip: `${error} (skipped outside CI)` };
  }
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A throwaway `redis-server` process, for the cases where the server goes down. */
export interface RedisProcess {
  url: string;
  /** Kills the server (SIGKILL: it goes away as in a crash) and waits for its exit. */
  kill(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open, nothing is answered. */
  freeze(): void;
  /** Thaws a frozen server (SIGCONT). */
  thaw(): void;
}

/** Starts a throwaway `redis-server` on a free loopback port and waits until it accepts connections. */
export async function startRedisProcess(): Promise<RedisProcess> {
  const port = await freePort();
  const child = spawn("redis-server", ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no"], {
    stdio: "ignore",
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const failed = new Promise<never>((_, reject) => child.once("error", reject));
  failed.catch(() => {});
  const url = `redis://127.0.0.1:${port}`;
  for (let attempt = 0;; attempt++) {
    const probe = createClient({ url, socket: { reconnectStrategy: false } });
    probe.on("error", () => {});
    try {
      await Promise.race([probe.connect(), failed]);
      await probe.close();
      break;
    } catch (error) {
      if (attempt >= 50) {
        sendSignal(child, "SIGKILL");
        throw new Error(`redis-server did not start on port ${port}: ${error}`);
      }
      await Promise.race([new Promise((resolve) => setTimeout(resolve, 50)), failed]);
    }
  }
  return {
    url,
    kill: async () => {
      sendSignal(child, "SIGKILL");
      await within(exited, 10_000, () => `redis-server on port ${port} did not exit 10 s after SIGKILL`);
    },
    freeze: () => sendSignal(child, "SIGSTOP"),
    thaw: () => sendSignal(child, "SIGCONT"),
  };
}
