// The guard of tests/support/unhandled.ts, proven on the runner running this file: a fixture test file whose
// background work rejects after its last test is run by a child runner, which must fail; the same file without the
// rejection must pass. The fixtures live in the OS temp directory, where neither runner looks for tests.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { currentRuntime, ROOT } from "./support/server-process.ts";

const guardUrl = pathToFileURL(join(ROOT, "tests/support/unhandled.ts")).href;

function fixture(reject: boolean): string {
  return `import { test } from "node:test";
import { guardUnhandledRejections } from ${JSON.stringify(guardUrl)};
const guard = guardUnhandledRejections();
test("starts background work and returns", () => {
  guard.waitUntil(new Promise((resolve) => setTimeout(resolve, 30)).then(() => {
    ${reject ? 'Promise.reject(new Error("late rejection from background work"));' : ""}
  }));
});
`;
}

function runFixture(source: string): Promise<{ code: number; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), "unhandled-guard-"));
  const file = join(dir, "late.test.ts");
  writeFileSync(file, source);
  const bin = (name: string) => join(ROOT, "node_modules/.bin", name);
  const [command, args] = currentRuntime() === "deno"
    ? [bin("deno"), ["test", "--no-check", "--allow-all", file]]
    : [bin("bun"), ["test", file]];
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: dir, env: { ...process.env, NO_COLOR: "1" } });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("exit", (code) => {
      rmSync(dir, { recursive: true, force: true });
      resolve({ code: code ?? 1, output });
    });
  });
}

test("a rejection in background work that outlives the file's last test fails the run", async () => {
  const { code, output } = await runFixture(fixture(true));
  assert.notEqual(code, 0, `the run passed:\n${output}`);
  assert.match(output, /late rejection from background work/);
});

test("the same background work without a rejection passes", async () => {
  const { code, output } = await runFixture(fixture(false));
  assert.equal(code, 0, output);
});
