// The Worker as wrangler itself builds and configures it, for the workerd suites: `wrangler deploy --dry-run
// --outdir` (the pinned wrangler, through `npm run wrangler`'s launcher) writes what `wrangler deploy` would upload,
// and wrangler's own reading of wrangler.toml gives miniflare the compatibility date, flags and bindings, as
// `wrangler dev` does. Nothing here needs the network or a Cloudflare login.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { wranglerCommand } from "../../scripts/wrangler.mjs";
import { ROOT } from "./serve-env.mjs";

/** What keeps wrangler offline and quiet: no usage metrics, no error reports, no update check. */
export const WRANGLER_OFFLINE_ENV = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  WRANGLER_HIDE_BANNER: "true", // the banner also asks the registry for a newer wrangler
};

/** Longest wait for one wrangler command. */
const TIMEOUT_MS = 120_000;

/**
 * The arguments of the build: `deploy [<script>] --dry-run --outdir <outdir>`, and `--env <env>` for an environment
 * of wrangler.toml (`durable`: the Durable Object variant). `script` is another entry than wrangler.toml's `main`
 * (platforms/cloudflare-openai.ts, platforms/cloudflare-workers-ai.ts: the other model providers).
 * @param {{ outdir: string, env?: string, script?: string }} options
 */
export function buildArgs(options) {
  return [
    "deploy",
    ...(options.script ? [options.script] : []),
    "--dry-run",
    "--outdir",
    options.outdir,
    ...(options.env ? ["--env", options.env] : []),
  ];
}

/**
 * The Workers entry that holds a model provider, as the README tells a user to deploy it: wrangler.toml's `main`
 * (platforms/cloudflare.ts, Gemini) for none or `gemini`, else platforms/cloudflare-<provider>.ts.
 * @param {string | undefined} provider `MODEL_PROVIDER`
 * @returns {string | undefined} the script to pass to `wrangler deploy`, `undefined` for `main`
 */
export function entryFor(provider) {
  const name = provider?.trim().toLowerCase();
  return !name || name === "gemini" ? undefined : `platforms/cloudflare-${name}.ts`;
}

/**
 * Runs `npm run wrangler -- <args>` (the project's launcher: Node 22+, else Bun) offline, bounded in time.
 * @param {string[]} args
 * @param {{ wrap?: (command: string, args: string[]) => [string, string[]] }} [options]
 *   `wrap` runs the command inside another (the offline test runs it in a network namespace).
 * @returns {Promise<{ code: number | null, output: string }>}
 */
export async function runWrangler(args, options = {}) {
  const launcher = join(ROOT, "scripts", "wrangler.mjs");
  const node = /(^|[\\/])node(\.exe)?$/.test(process.execPath) ? process.execPath : "node"; // under Bun or Deno: PATH's
  const [command, commandArgs] = options.wrap ? options.wrap(node, [launcher, ...args]) : [node, [launcher, ...args]];
  const child = spawn(command, commandArgs, {
    cwd: ROOT,
    env: { ...process.env, ...WRANGLER_OFFLINE_ENV, NO_COLOR: "1", FORCE_COLOR: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const code = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`wrangler ${args.join(" ")} did not finish in ${TIMEOUT_MS} ms:\n${output}`));
    }, TIMEOUT_MS);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("exit", (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  return { code, output };
}

/**
 * Builds the Worker with `npm run wrangler -- deploy --dry-run --outdir <outdir> [--env <env>]` and returns the
 * module it wrote.
 * @param {{ outdir: string, env?: string, script?: string, wrap?: (command: string, args: string[]) => [string, string[]] }} options
 * @returns {Promise<{ path: string, output: string }>}
 */
export async function buildWorker(options) {
  const { code, output } = await runWrangler(buildArgs(options), options);
  const path = join(options.outdir, `${basename(options.script ?? "cloudflare.ts", ".ts")}.js`);
  if (code !== 0 || !existsSync(path)) throw new Error(`wrangler deploy --dry-run failed (exit ${code}):\n${output}`);
  return { path, output };
}

/**
 * Miniflare's options for the Worker, read from wrangler.toml by wrangler itself (what `wrangler dev` runs):
 * compatibility date and flags, the KV namespace or Durable Object bound as SESSIONS, vars.
 * @param {{ env?: string }} [options]
 */
export async function workerOptions(options = {}) {
  for (const [name, value] of Object.entries(WRANGLER_OFFLINE_ENV)) process.env[name] ??= value;
  const { unstable_getMiniflareWorkerOptions } = await import("wrangler");
  return unstable_getMiniflareWorkerOptions(join(ROOT, "wrangler.toml"), options.env).workerOptions;
}
