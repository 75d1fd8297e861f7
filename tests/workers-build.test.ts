// The Workers deploy path as the README gives it: the pinned wrangler (npm run wrangler) builds the Worker offline
// from wrangler.toml, the config asks for today's runtime without Node.js compatibility, and the committed `Env`
// types are what `wrangler types` generates. The built Worker itself is served by the workerd suites
// (tests/e2e-workerd.test.ts, tests/e2e-hardening.test.ts). Registered under one runner (the one serving workerd).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import { wranglerCommand } from "../scripts/wrangler.mjs";
import { currentRuntime, ROOT, RUNNER_OF } from "./support/server-process.ts";
import { buildWorker, runWrangler, workerOptions } from "./support/wrangler-build.mjs";

/** Registers a case under the runner that serves workerd only, so that `npm test` runs it once. */
const workersTest = (name: string, fn: (t: TestContext) => Promise<void>) => {
  if (RUNNER_OF.workerd === currentRuntime()) test(name, fn);
};

/** Runs a command with no network interface at all (a new network namespace), where Linux lets this user. */
function offline(): ((command: string, args: string[]) => [string, string[]]) | string {
  try {
    execFileSync("unshare", ["--net", "true"], { stdio: "ignore" });
    return (command, args) => ["unshare", ["--net", command, ...args]];
  } catch {
    return "no network namespace here (unshare --net needs root on Linux)";
  }
}

/** What gives each model provider away in a Worker: its provider object's name. */
const PROVIDERS = { gemini: /name:\s*"gemini"/, openai: /name:\s*"openai"/, "workers-ai": /name:\s*"workers-ai"/ };

workersTest("wrangler deploy --dry-run builds both Workers, and each provider's entry, from wrangler.toml with no network at all", async (t) => {
  const wrap = offline();
  if (typeof wrap === "string") {
    assert.notEqual(process.env.CI, "true", `CI must prove the offline build: ${wrap}`);
    return t.skip(wrap);
  }
  const outdir = mkdtempSync(join(tmpdir(), "agent-worker-build-"));
  try {
    const builds = [
      { provider: "gemini" },
      { provider: "gemini", env: "durable" },
      { provider: "openai", script: "platforms/cloudflare-openai.ts" },
      { provider: "workers-ai", script: "platforms/cloudflare-workers-ai.ts" },
    ] as const;
    for (const build of builds) {
      const env = "env" in build ? build.env : undefined;
      const script = "script" in build ? build.script : undefined;
      const { path, output } = await buildWorker({ outdir: join(outdir, `${build.provider}-${env ?? "kv"}`), env, script, wrap });
      const code = readFileSync(path, "utf8");
      assert.ok(/export\s*\{[^}]*\bConversationObject\b/.test(code), "the Worker exports the Durable Object class");
      assert.ok(/\bdefault\b/.test(code.slice(code.lastIndexOf("export"))), "the Worker has a default export");
      assert.ok(!/(from|import)\s*\(?\s*["']node:/.test(code), "no Node.js built-in is imported");
      assert.match(output, env ? /env\.SESSIONS\s+\(ConversationObject\)\s+Durable Object/ : /env\.SESSIONS\s+KV Namespace/);
      for (const [name, mark] of Object.entries(PROVIDERS)) {
        assert.equal(mark.test(code), name === build.provider, `${name} in the ${script ?? "default"} Worker`);
      }
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});

workersTest("wrangler.toml asks for the installed workerd's newest date, no Node.js compatibility, request.signal, and a KV namespace wrangler provisions", async () => {
  const workerd = execFileSync(join(ROOT, "node_modules", ".bin", "workerd"), ["--version"], { encoding: "utf8" });
  const newest = workerd.match(/(\d{4}-\d{2}-\d{2})/)![1];
  for (const env of [undefined, "durable"]) {
    const options = await workerOptions({ env });
    assert.equal(options.compatibilityDate, newest, `the compatibility date is the newest ${workerd.trim()} supports`);
    assert.deepEqual(
      [...options.compatibilityFlags!].sort(),
      ["enable_request_signal", "no_nodejs_compat", "no_nodejs_compat_v2"],
      "Node.js compatibility is off whatever the date, and request.signal reports a client's disconnect",
    );
  }
  assert.deepEqual(Object.keys((await workerOptions()).kvNamespaces ?? {}), ["SESSIONS"]);
  assert.equal(((await workerOptions({ env: "durable" })).durableObjects as Record<string, { className: string }>).SESSIONS.className, "ConversationObject");
  const toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8").replace(/#.*$/gm, "");
  const kv = toml.match(/\[\[kv_namespaces\]\]([^[]*)/)![1];
  assert.doesNotMatch(kv, /\bid\s*=/, "no namespace id: wrangler deploy creates the namespace and links it");
});

workersTest("worker-configuration.d.ts is what wrangler types generates from wrangler.toml", async () => {
  const { code, output } = await runWrangler(["types", "--check"]);
  assert.equal(code, 0, `run npm run cf-typegen and commit worker-configuration.d.ts:\n${output}`);
  const types = readFileSync(join(ROOT, "worker-configuration.d.ts"), "utf8");
  assert.match(types, /interface Env extends __BaseEnv_Env/);
  assert.match(types, /SESSIONS: DurableObjectNamespace<[^>]+ConversationObject> \| KVNamespace;/);
});

workersTest("npm run wrangler runs wrangler on Node when its engines allow, else under the project's Bun", async () => {
  const old = wranglerCommand(["--version"], { nodeVersion: "20.19.0" });
  assert.equal(old.runtime, "bun");
  assert.match(old.command, /node_modules[\\/]bun[\\/]bin[\\/]bun\.exe$/);
  assert.equal(wranglerCommand(["--version"], { nodeVersion: old.minimumNode }).runtime, "node");
  assert.equal(wranglerCommand(["--version"], { nodeVersion: "24.1.0" }).runtime, "node");
  const installed = JSON.parse(readFileSync(join(ROOT, "node_modules", "wrangler", "package.json"), "utf8")).version;
  const { code, output } = await runWrangler(["--version"]);
  assert.equal(code, 0, output);
  assert.equal(output.trim(), installed, `this Node (${process.versions.node}) runs the pinned wrangler`);
  const pinned = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).devDependencies.wrangler;
  assert.equal(pinned, installed, "package.json pins wrangler to one exact version");
});
