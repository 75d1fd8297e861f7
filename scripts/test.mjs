// Runs the one test suite under every runtime (`npm test`), each with its own native runner, and prints the
// summed `N passed, N failed` line that CI reads. Usage: node scripts/test.mjs [bun|deno ...] [-- extra args]
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const out = join(root, "tests", ".tmp", "reports");
const bin = (name) => join(root, "node_modules", ".bin", name);

/** Every runtime's run: its command and the JUnit report it writes. */
const RUNS = {
  bun: (report) => [bin("bun"), ["test", "--timeout", "60000", "--reporter=junit", `--reporter-outfile=${report}`]],
  deno: (report) => [bin("deno"), ["test", "--allow-all", `--junit-path=${report}`, "tests/"]],
};

const args = process.argv.slice(2);
const chosen = args.filter((a) => a in RUNS);
const runtimes = chosen.length ? chosen : Object.keys(RUNS);

function run(command, argv) {
  return new Promise((resolve) => {
    const child = spawn(command, argv, { cwd: root, stdio: "inherit", env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" } });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.on("error", () => resolve(127));
  });
}

function counts(report) {
  const xml = readFileSync(report, "utf8");
  const head = xml.match(/<testsuites\b[^>]*>/)?.[0] ?? "";
  const attr = (name) => Number(head.match(new RegExp(`\\b${name}="(\\d+)"`))?.[1] ?? 0);
  const failed = attr("failures") + attr("errors");
  // Bun counts skipped tests on <testsuites>; Deno only on each <testsuite>, as "disabled".
  const disabled = [...xml.matchAll(/<testsuite\b[^>]*\bdisabled="(\d+)"/g)].reduce((sum, m) => sum + Number(m[1]), 0);
  const skipped = attr("skipped") + disabled;
  return { passed: attr("tests") - failed - skipped, failed, skipped };
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
let passed = 0, failed = 0, skipped = 0;
for (const runtime of runtimes) {
  const report = join(out, `${runtime}.xml`);
  console.log(`\n=== ${runtime} ===`);
  const [command, argv] = RUNS[runtime](report);
  const code = await run(command, argv);
  let result;
  try {
    result = counts(report);
  } catch {
    result = { passed: 0, failed: 1, skipped: 0 };
    console.log(`${runtime}: the runner wrote no report (exit ${code}): counted as one failure`);
  }
  if (code !== 0 && result.failed === 0) {
    result.failed = 1;
    console.log(`${runtime}: the runner exited ${code} with no failed test (an error outside a test): counted as one failure`);
  }
  console.log(`${runtime}: ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped`);
  passed += result.passed;
  failed += result.failed;
  skipped += result.skipped;
}
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
