// Regenerates package-lock.json so that `npm ci` works on every platform we support, and checks it.
//
//   node scripts/lock.mjs           re-resolve the lockfile from package.json (locked versions kept), then check it
//   node scripts/lock.mjs --check   only check the committed lockfile
//
// Why: npm writes into the lockfile only the optional platform packages it sees in node_modules when one exists
// (npm/cli#4828), so an `npm install` on Linux drops the macOS and Windows binaries of deno, bun, esbuild, workerd…
// and `npm ci` then fails there ("Missing: @deno/darwin-arm64@… from lock file"). Resolving in an empty directory
// with `npm install --package-lock-only` records every platform's package; versions already locked stay as they are.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The platforms `npm ci` must work on, as npm names them (process.platform, process.arch; glibc on Linux). */
export const PLATFORMS = [
  { os: "linux", cpu: "x64", libc: "glibc" },
  { os: "linux", cpu: "arm64", libc: "glibc" },
  { os: "darwin", cpu: "arm64" },
  { os: "darwin", cpu: "x64" },
  { os: "win32", cpu: "x64" },
];

/**
 * The packages that ship native binaries as optional platform packages (the test runtimes, the bundlers, the type
 * checker, the Vercel CLI and what it and miniflare load), each of whose versions must have one for every platform.
 */
export const BINARY_PACKAGES = ["deno", "bun", "esbuild", "workerd", "typescript", "vercel", "rolldown", "sharp"];

/** The test runtimes and the bundler: always in the lockfile. */
const REQUIRED = ["deno", "bun", "esbuild", "workerd"];

/** Platforms a package publishes no binary for, and why that is fine. */
export const NO_BINARY_NEEDED = {
  vercel: { "win32-x64": "the Vercel CLI publishes no Windows native package and runs without one" },
};

const fits = (list, value) => !list || list.includes(value) || (list.every((entry) => entry.startsWith("!")) && !list.includes(`!${value}`));

/** Whether a locked package can install on a platform, by its `os`, `cpu` and `libc` fields. */
export function installsOn(entry, platform) {
  return fits(entry.os, platform.os) && fits(entry.cpu, platform.cpu) && (!platform.libc || fits(entry.libc, platform.libc));
}

/** Where Node would find `name` from the package at `path` (a lockfile key), or undefined. */
export function resolveFrom(packages, path, name) {
  let base = path;
  for (;;) {
    const candidate = `${base ? `${base}/` : ""}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    const cut = base.lastIndexOf("/node_modules/");
    base = cut >= 0 ? base.slice(0, cut) : "";
  }
}

/**
 * What the lockfile lacks for `npm ci` on every platform in {@link PLATFORMS}: optional dependencies declared by a
 * locked package but not locked themselves, and binary packages ({@link BINARY_PACKAGES}) with no locked platform
 * package for one of the platforms.
 * @param {{ packages: Record<string, any> }} lock a parsed package-lock.json (lockfileVersion 3)
 * @returns {string[]} one line per problem; empty when the lockfile is complete
 */
export function lockfileProblems(lock) {
  const packages = lock.packages ?? {};
  const problems = [];
  for (const [path, entry] of Object.entries(packages)) {
    for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
      if (!resolveFrom(packages, path, name)) problems.push(`${path || "(root)"}: optional ${name}@${range} is not locked`);
    }
  }
  for (const name of BINARY_PACKAGES) {
    const paths = Object.keys(packages).filter((path) => path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`));
    if (paths.length === 0 && REQUIRED.includes(name)) problems.push(`${name} is not locked`);
    for (const path of paths) {
      const binaries = Object.keys(packages[path].optionalDependencies ?? {})
        .map((dep) => resolveFrom(packages, path, dep))
        .filter((found) => found && (packages[found].os || packages[found].cpu));
      if (binaries.length === 0) continue; // a version without native binaries (typescript 5 is JavaScript)
      for (const platform of PLATFORMS) {
        if (NO_BINARY_NEEDED[name]?.[`${platform.os}-${platform.cpu}`]) continue;
        if (!binaries.some((found) => installsOn(packages[found], platform))) {
          problems.push(`${path}@${packages[path].version}: no locked binary for ${platform.os}-${platform.cpu}`);
        }
      }
    }
  }
  return problems;
}

function check() {
  const problems = lockfileProblems(JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")));
  if (problems.length) {
    console.error(`package-lock.json is incomplete for npm ci on ${PLATFORMS.map((p) => `${p.os}-${p.cpu}`).join(", ")}:`);
    for (const problem of problems) console.error(`  ${problem}`);
    console.error("Regenerate it: node scripts/lock.mjs");
    process.exit(1);
  }
  console.log(`package-lock.json locks every platform's packages (${PLATFORMS.map((p) => `${p.os}-${p.cpu}`).join(", ")})`);
}

function regenerate() {
  const dir = mkdtempSync(join(tmpdir(), "lock-"));
  try {
    for (const file of ["package.json", "package-lock.json", ".npmrc"]) {
      if (existsSync(join(ROOT, file))) copyFileSync(join(ROOT, file), join(dir, file));
    }
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const result = spawnSync(npm, ["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"], {
      cwd: dir,
      stdio: "inherit",
      shell: process.platform === "win32",
    });
    if (result.status !== 0) throw new Error(`npm install --package-lock-only failed (${result.status ?? result.signal})`);
    copyFileSync(join(dir, "package-lock.json"), join(ROOT, "package-lock.json"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (!process.argv.includes("--check")) regenerate();
  check();
}
