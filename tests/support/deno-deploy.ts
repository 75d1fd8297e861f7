/**
 * Deno Deploy, reproduced as closely as this machine allows: a copy of exactly what `deno deploy` would upload
 * (what git does not ignore, without node_modules, minus deno.json's top-level and `deploy.exclude` paths), the
 * `deploy.install` command Deploy runs in it, then its `deploy.runtime.entrypoint` served by `deno run --allow-all`
 * (Deploy's fixed flags; deno.json's `"unstable": ["kv"]` is what enables KV) with `DENO_DEPLOYMENT_ID` set, in
 * the copy as its working directory, with its own DENO_DIR so that Deno KV's default database is a fresh one.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { projectFiles } from "../../scripts/vercel-build.mjs";
import { ROOT, type ServerTarget } from "./server-process.ts";

interface DeployConfig {
  install?: string;
  runtime: { type?: string; entrypoint: string };
  exclude?: string[];
}

/** deno.json's `deploy` section and its top-level `exclude`. */
export function deployConfig(): { deploy: DeployConfig; exclude: string[] } {
  const config = JSON.parse(readFileSync(join(ROOT, "deno.json"), "utf8"));
  return { deploy: config.deploy, exclude: config.exclude ?? [] };
}

/** The files `deno deploy` uploads from this checkout (paths relative to it). */
export function uploadedFiles(): string[] {
  const { deploy, exclude } = deployConfig();
  const patterns = ["node_modules", ...exclude, ...(deploy.exclude ?? [])].map((pattern) => pattern.replace(/^\.\//, "").replace(/\/$/, ""));
  for (const pattern of patterns) {
    if (/[*?![\]{}]/.test(pattern)) throw new Error(`this reproduction handles plain paths only, not "${pattern}"`);
  }
  return projectFiles().filter((file) => !patterns.some((pattern) => file === pattern || file.startsWith(`${pattern}/`)));
}

/** A fresh copy of the upload with Deploy's install step run in it; returns its directory. */
export function prepareDeployCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "deno-deploy-"));
  for (const file of uploadedFiles()) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(ROOT, file), join(dir, file));
  }
  const { install } = deployConfig().deploy;
  if (install) {
    const result = spawnSync("sh", ["-c", install], { cwd: dir, encoding: "utf8", timeout: 180_000 });
    if (result.status !== 0) throw new Error(`deploy.install (${install}) failed:\n${result.stdout}${result.stderr}`);
  }
  return dir;
}

/** The Deploy reproduction as a server target for the suites; `dir` is a prepared copy. */
export function deployTarget(dir: string): ServerTarget {
  const { entrypoint } = deployConfig().deploy.runtime;
  return {
    name: "deno-deploy",
    store: "deno-kv",
    cwd: dir,
    env: () => ({ DENO_DEPLOYMENT_ID: "local-reproduction", DENO_DIR: mkdtempSync(join(tmpdir(), "deno-dir-")) }),
    command: () => ({ command: `${ROOT}node_modules/.bin/deno`, args: ["run", "--allow-all", entrypoint] }),
  };
}

/** Removes a prepared copy. */
export function removeDeployCopy(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
