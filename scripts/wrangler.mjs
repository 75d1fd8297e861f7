// `npm run wrangler -- <command>`: the project's pinned wrangler, on the Node.js that runs this script when wrangler
// accepts it (its package.json `engines.node`), otherwise under the project's Bun (node_modules/bun), so that
// Node 20 users can build and deploy too. Arguments, output and exit code pass straight through.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const WRANGLER = join(ROOT, "node_modules", "wrangler");

/** `a` compared with `b`, both `major.minor.patch`: negative, zero or positive. */
export function compareVersions(a, b) {
  const parts = (version) => version.split(/[.+-]/).slice(0, 3).map((part) => Number.parseInt(part, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

/**
 * The command that runs the pinned wrangler with `args`: `node` when `nodeVersion` meets wrangler's `>=` engine
 * requirement, else the project's Bun.
 * @param {string[]} args
 * @param {{ nodeVersion?: string, nodePath?: string }} [options]
 * @returns {{ command: string, args: string[], runtime: "node" | "bun", minimumNode: string }}
 */
export function wranglerCommand(args, options = {}) {
  const manifest = JSON.parse(readFileSync(join(WRANGLER, "package.json"), "utf8"));
  const minimumNode = /^>=\s*([\d.]+)$/.exec(manifest.engines?.node ?? "")?.[1];
  if (!minimumNode) throw new Error(`wrangler's engines.node is "${manifest.engines?.node}": expected ">=x.y.z"`);
  const bin = join(WRANGLER, "bin", "wrangler.js");
  const nodeVersion = options.nodeVersion ?? process.versions.node;
  if (compareVersions(nodeVersion, minimumNode) >= 0) {
    return { command: options.nodePath ?? process.execPath, args: [bin, ...args], runtime: "node", minimumNode };
  }
  return { command: join(ROOT, "node_modules", "bun", "bin", "bun.exe"), args: [bin, ...args], runtime: "bun", minimumNode };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { command, args } = wranglerCommand(process.argv.slice(2));
  const child = spawn(command, args, { stdio: "inherit", cwd: process.cwd() });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  child.on("error", (error) => {
    console.error(`could not start wrangler with ${command}: ${error.message}`);
    process.exit(1);
  });
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
