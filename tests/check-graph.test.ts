import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { checkGraph, MAX_LINES } from "../scripts/check-graph.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const dirs: string[] = [];
after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A throwaway project of the given files (outside any git checkout). */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "check-graph-"));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

test("the project's own tree has no import cycle, no long source file, and mod.ts names where each export lives", () => {
  assert.deepEqual(checkGraph(ROOT).problems, []);
});

test("check-graph finds an import cycle, type-only imports included, but not an example in a comment", () => {
  const dir = project({
    "lib/a.ts": 'import { b } from "./b.ts";\nexport const a = () => b;\n',
    "lib/b.ts": 'import type { C } from "../app/c.ts";\nexport const b = 1 as unknown as C;\n',
    "app/c.ts": 'import { a } from "../lib/a.ts";\nexport type C = ReturnType<typeof a>;\n',
    "lib/d.ts": '/**\n * @example import { d } from "./d.ts";\n */\nexport const d = 1;\n',
  });
  const { problems } = checkGraph(dir);
  assert.equal(problems.length, 1, problems.join("\n"));
  assert.match(problems[0], /^import cycle: /);
  const path = problems[0].slice("import cycle: ".length).split(" -> ");
  assert.equal(path.at(0), path.at(-1), "the cycle closes on the file it starts from");
  assert.deepEqual(path.slice(1).sort(), ["app/c.ts", "lib/a.ts", "lib/b.ts"]);
});

test("check-graph refuses a source file over the line limit, except in bench/ and tests/", () => {
  const long = "export const x = 1;\n".repeat(MAX_LINES + 1);
  const dir = project({ "lib/long.ts": long, "tests/long.test.ts": long, "bench/long.bench.ts": long, "lib/ok.ts": "x\n".repeat(MAX_LINES) });
  assert.deepEqual(checkGraph(dir).problems, [`lib/long.ts: ${MAX_LINES + 1} lines (at most ${MAX_LINES} outside bench/ and tests/)`]);
});

test("check-graph refuses a name mod.ts exports from a module that only relays it", () => {
  const dir = project({
    "mod.ts": 'export { inner, outer } from "./lib/outer.ts";\n',
    "lib/outer.ts": 'export { inner } from "./inner.ts";\nexport const outer = 1;\n',
    "lib/inner.ts": "export const inner = 2;\n",
  });
  assert.deepEqual(checkGraph(dir).problems, [
    "mod.ts: inner is relayed by lib/outer.ts: export it from where it is declared",
  ]);
});
