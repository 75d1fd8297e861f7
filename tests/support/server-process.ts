/** Starts the backend as a real server process on a runtime, and stops it. */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sendSignal, within } from "./child.ts";
import { REDIS_URL } from "./redis.ts";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const bin = (name: string) => `${ROOT}node_modules/.bin/${name}`;

/** A server process under test. */
export interface ServerProcess {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  /** Everything it printed so far, stdout and stderr. */
  output: () => string;
  stop(): Promise<void>;
}

/** How to start the backend on one runtime; `env` holds the test's variables (PORT is 0: any free port). */
export interface ServerTarget {
  name: string;
  command: (env: Record<string, string>) => { command: string; args: string[] };
  /** The conversation store this platform's entry picks by itself (`/health` names it). */
  store: string;
  /** Variables that pick that store; a store that outlives the process makes the restart case run. */
  env?: () => Record<string, string>;
  /** The store keeps conversations across a restart of the server process. */
  durable?: boolean;
  /** The working directory of the process (default: the repository). */
  cwd?: string;
  /** How long it may take to print where it listens (default 30 s): the Vercel targets run `vercel build` first. */
  startTimeoutMs?: number;
}

/** The Node.js on PATH: the workerd and Edge launchers need Node, whichever runner starts them. */
const node = (script: string, ...args: string[]) => () => ({ command: "node", args: [script, ...args] });

/**
 * The runtimes, each serving the backend as a real process: Bun and Deno run `platforms/*.ts` directly; workerd and
 * Vercel's Edge Runtime serve what the platforms would deploy (in miniflare, the Worker `wrangler deploy --dry-run`
 * builds from wrangler.toml, with a real KV namespace or, `--env durable`, the Durable Object store); the Vercel
 * targets serve what `vercel build` wrote to .vercel/output, the Node.js function in Node and the Edge variant in
 * edge-runtime; Node serves the bundle of platforms/node.ts.
 */
export const TARGETS = {
  bun: {
    name: "bun",
    store: "redis",
    durable: true,
    env: () => ({ REDIS_URL }),
    command: () => ({ command: bin("bun"), args: ["platforms/bun.ts"] }),
  },
  deno: {
    name: "deno",
    store: "deno-kv",
    durable: true,
    env: () => ({ DENO_KV_PATH: `${mkdtempSync(join(tmpdir(), "agent-kv-"))}/kv.sqlite3` }),
    command: () => ({ command: bin("deno"), args: ["run", "--allow-all", "platforms/deno.ts"] }),
  },
  // Each start runs wrangler's build first: a few seconds, longer on a loaded machine.
  workerd: {
    name: "workerd",
    store: "cloudflare-kv",
    startTimeoutMs: 120_000,
    command: node("tests/support/serve-workerd.mjs"),
  },
  "workerd-durable": {
    name: "workerd-durable",
    store: "durable-object",
    startTimeoutMs: 120_000,
    command: node("tests/support/serve-workerd.mjs", "--env", "durable"),
  },
  edge: { name: "edge", store: "memory", startTimeoutMs: 240_000, command: node("tests/support/serve-edge.mjs") },
  node: {
    name: "node",
    store: "redis",
    durable: true,
    env: () => ({ REDIS_URL }),
    command: node("tests/support/serve-node.mjs"),
  },
  "vercel-node": {
    name: "vercel-node",
    store: "memory",
    startTimeoutMs: 240_000,
    command: node("tests/support/serve-vercel-node.mjs"),
  },
} satisfies Record<string, ServerTarget>;

/**
 * The test runner that starts each target, so that `npm test` (`bun test`, then `deno test`) runs every runtime's
 * suite exactly once: Bun and Deno serve under their own runner; the Node-launched targets (workerd, edge, node) are
 * spread over both to keep each run short. Any runner could start them: they are `node` processes.
 */
export const RUNNER_OF: Record<keyof typeof TARGETS, "bun" | "deno"> = {
  bun: "bun",
  deno: "deno",
  workerd: "bun",
  "workerd-durable": "deno",
  node: "bun",
  edge: "deno",
  "vercel-node": "deno",
};

/** The runtime running this test file. */
export function currentRuntime(): "bun" | "deno" | "node" {
  const g = globalThis as { Bun?: unknown; Deno?: unknown };
  return g.Bun ? "bun" : g.Deno ? "deno" : "node";
}

const LISTENING = /listening on (http:\/\/\S+)/;

/** Starts a target and waits until it prints where it listens. */
export async function startServer(target: ServerTarget, env: Record<string, string>): Promise<ServerProcess> {
  const fullEnv: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", HOST: "127.0.0.1", PORT: "0", NO_COLOR: "1", ...env };
  const { command, args } = target.command(fullEnv);
  const child: ChildProcess = spawn(command, args, { cwd: target.cwd ?? ROOT, env: fullEnv, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timeoutMs = target.startTimeoutMs ?? 30_000;
    const timer = setTimeout(() => reject(new Error(`${target.name} did not start in ${timeoutMs / 1000} s:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(LISTENING);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${target.name} exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    url,
    output: () => output,
    async stop() {
      // A server that does not stop within 3 s of SIGTERM (a graceful close waiting on a keep-alive connection) is
      // killed; SIGKILL ends any process, so the last bound only turns a lost exit event into an error, not a hang.
      sendSignal(child, "SIGTERM");
      const killer = setTimeout(() => sendSignal(child, "SIGKILL"), 3000);
      try {
        await within(exited, 13_000, () => `${target.name} (pid ${child.pid}) did not exit 10 s after SIGKILL:\n${output}`);
      } finally {
        clearTimeout(killer);
      }
    },
  };
}
