// `vercel build` with the project's pinned Vercel CLI, offline and without an account: Vercel's own builders turn
// this checkout into `.vercel/output` (the Build Output API: what `vercel deploy --prebuilt` uploads).
//
//   node scripts/vercel-build.mjs                  this checkout → .vercel/output (Node.js runtime, as committed)
//   node scripts/vercel-build.mjs --edge --dir D   a copy of this checkout's files in D/src, with api/index.js
//                                                  switched to the Edge runtime → D/src/.vercel/output
//
// `vercel build` needs the project's settings. After `vercel link` and `vercel pull` they are in
// .vercel/project.json; when that file is missing, this script writes the settings this project uses (no
// framework, the build through package.json's `vercel-build`, dependencies already installed by `npm ci`) under
// placeholder ids, which is all `vercel build` reads. The tests (tests/vercel-build.test.ts and the Vercel targets
// of the end-to-end suites) build both runtimes this way and serve what it wrote.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The committed line of api/index.js that, uncommented, moves the function to the Edge runtime. */
export const EDGE_SWITCH = `// export const config = { runtime: "edge" };`;

/** What `vercel build` reads when the project was never linked: this project's settings, placeholder ids. */
export const OFFLINE_PROJECT = {
  projectId: "prj_offline",
  orgId: "team_offline",
  settings: { framework: null, installCommand: "", buildCommand: null, outputDirectory: null, rootDirectory: null },
};

/** The files a clean clone of this checkout has: git's tracked files and untracked ones it does not ignore. */
export function projectFiles() {
  const listed = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  return listed.stdout.split("\0").filter((path) => path && existsSync(join(ROOT, path)) && statSync(join(ROOT, path)).isFile()).sort();
}

/** api/index.js with the Edge switch applied; throws if the committed file no longer has the switch line. */
export function withEdgeSwitch(source) {
  if (!source.includes(EDGE_SWITCH)) throw new Error(`api/index.js has no line "${EDGE_SWITCH}" to uncomment`);
  return source.replace(EDGE_SWITCH, EDGE_SWITCH.slice(3));
}

function run(cwd) {
  const home = mkdtempSync(join(tmpdir(), "vercel-home-")); // no saved login: proves the build needs no account
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("VERCEL_")));
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(ROOT, "node_modules", "vercel", "dist", "vc.js"), "build", "--prod", "--yes"], {
      cwd,
      env: { ...env, HOME: home, XDG_DATA_HOME: home, CI: "1", VERCEL_TELEMETRY_DISABLED: "1", FORCE_COLOR: "0", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), 240_000);
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      rmSync(home, { recursive: true, force: true });
      if (code === 0) resolvePromise(output);
      else reject(new Error(`vercel build exited with ${code} in ${cwd}:\n${output}`));
    });
  });
}

function ensureProjectSettings(dir) {
  const path = join(dir, ".vercel", "project.json");
  if (existsSync(path)) return;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(OFFLINE_PROJECT, null, 2) + "\n");
}

/**
 * Runs `vercel build`. Without `dir`, in this checkout. With `dir`, in a fresh copy of this checkout's files
 * (node_modules linked, not copied), reused while nothing it was built from changed.
 * @param {{ dir?: string, edge?: boolean }} [options]
 * @returns {Promise<string>} the `.vercel/output` directory it wrote
 */
export async function vercelBuild(options = {}) {
  if (!options.dir) {
    if (options.edge) throw new Error("--edge builds a copy: give it a --dir");
    ensureProjectSettings(ROOT);
    await run(ROOT);
    return join(ROOT, ".vercel", "output");
  }
  const dir = resolve(options.dir);
  const src = join(dir, "src");
  const output = join(src, ".vercel", "output");
  const files = projectFiles();
  const hash = createHash("sha256").update(JSON.stringify({ edge: !!options.edge, files }));
  for (const file of files) hash.update(readFileSync(join(ROOT, file)));
  const fingerprint = hash.digest("hex");
  const stamp = join(dir, "fingerprint");
  if (existsSync(join(output, "config.json")) && existsSync(stamp) && readFileSync(stamp, "utf8") === fingerprint) {
    return output;
  }
  rmSync(dir, { recursive: true, force: true });
  for (const file of files) {
    mkdirSync(dirname(join(src, file)), { recursive: true });
    cpSync(join(ROOT, file), join(src, file));
  }
  symlinkSync(join(ROOT, "node_modules"), join(src, "node_modules"), "dir");
  if (options.edge) {
    const route = join(src, "api", "index.js");
    writeFileSync(route, withEdgeSwitch(readFileSync(route, "utf8")));
  }
  ensureProjectSettings(src);
  await run(src);
  writeFileSync(stamp, fingerprint);
  return output;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const dirAt = args.indexOf("--dir");
  const output = await vercelBuild({ edge: args.includes("--edge"), dir: dirAt >= 0 ? args[dirAt + 1] : undefined });
  console.log(`vercel build wrote ${output}`);
}
