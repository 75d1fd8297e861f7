// `npm ci` works from the committed lockfile on Linux, macOS and Windows: every platform's binary packages are
// locked (scripts/lock.mjs regenerates the lockfile so), npm itself accepts the lockfile for each platform, and the
// install scripts we need are allowed explicitly for npm 12 (allowScripts) and pnpm (onlyBuiltDependencies).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { BINARY_PACKAGES, installsOn, lockfileProblems, PLATFORMS } from "../scripts/lock.mjs";
import { currentRuntime, ROOT } from "./support/server-process.ts";

type Lock = { packages: Record<string, Record<string, unknown> & { optionalDependencies?: Record<string, string> }> };
const lock = (): Lock => JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8"));
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

/** `npm ci --dry-run` for one platform, in a copy holding only package.json and the given lockfile. */
function npmCiDryRun(lockText: string, platform: { os: string; cpu: string; libc?: string }) {
  const dir = mkdtempSync(join(tmpdir(), "npm-ci-"));
  try {
    copyFileSync(join(ROOT, "package.json"), join(dir, "package.json"));
    writeFileSync(join(dir, "package-lock.json"), lockText);
    const flags = [`--os=${platform.os}`, `--cpu=${platform.cpu}`, ...(platform.libc ? [`--libc=${platform.libc}`] : [])];
    const result = spawnSync("npm", ["ci", "--dry-run", "--ignore-scripts", "--no-audit", "--no-fund", ...flags], {
      cwd: dir,
      encoding: "utf8",
      timeout: 120_000,
      env: { ...process.env, npm_config_loglevel: "error" },
    });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("the lockfile locks every optional dependency and a binary of each runtime and bundler for every platform", () => {
  assert.deepEqual(lockfileProblems(lock()), []);
  const packages = lock().packages;
  for (const name of ["deno", "bun", "esbuild", "workerd"]) {
    const binaries = Object.keys(packages[`node_modules/${name}`].optionalDependencies ?? {})
      .map((dep) => packages[`node_modules/${dep}`])
      .filter(Boolean);
    for (const platform of PLATFORMS) {
      assert.ok(binaries.some((entry) => installsOn(entry, platform)), `${name} has a locked binary for ${platform.os}-${platform.cpu}`);
    }
  }
});

test("a lockfile written on Linux without the macOS binaries is caught, as npm ci would refuse it", () => {
  const broken = lock();
  delete broken.packages["node_modules/@deno/darwin-arm64"];
  const problems = lockfileProblems(broken);
  assert.ok(problems.some((line) => line.includes("@deno/darwin-arm64")), problems.join("\n"));
  assert.ok(problems.some((line) => line.includes("no locked binary for darwin-arm64")), problems.join("\n"));
  assert.ok(BINARY_PACKAGES.includes("deno"));
});

if (currentRuntime() === "bun") {
  // npm's own check, once (under Bun's run): `npm ci` accepts the lockfile as if on each platform, and refuses the
  // lockfile this project had (only linux-x64 binaries of deno).
  test("npm ci accepts the committed lockfile for linux-x64, linux-arm64, darwin-arm64, darwin-x64 and win32-x64", () => {
    const text = readFileSync(join(ROOT, "package-lock.json"), "utf8");
    for (const platform of PLATFORMS) {
      const { status, output } = npmCiDryRun(text, platform);
      assert.equal(status, 0, `npm ci on ${platform.os}-${platform.cpu}:\n${output.slice(-2000)}`);
    }
    const broken = lock();
    delete broken.packages["node_modules/@deno/darwin-arm64"];
    const refused = npmCiDryRun(JSON.stringify(broken, null, 2), PLATFORMS[2]);
    assert.notEqual(refused.status, 0);
    assert.match(refused.output, /Missing: @deno\/darwin-arm64@/);
  });
}

test("the install scripts we need are allowed for npm 12 and pnpm, every other one is decided explicitly", () => {
  const needed = ["bun", "deno", "esbuild", "workerd"];
  for (const name of needed) assert.equal(pkg.allowScripts?.[name], true, `allowScripts.${name}`);
  assert.deepEqual([...pkg.pnpm.onlyBuiltDependencies].sort(), needed.sort());
  const withScripts = Object.entries(lock().packages)
    .filter(([path, entry]) => path && entry.hasInstallScript)
    .map(([path]) => path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length));
  for (const name of new Set(withScripts)) {
    assert.equal(typeof pkg.allowScripts[name], "boolean", `${name} has an install script: allow or deny it in allowScripts`);
  }
});
