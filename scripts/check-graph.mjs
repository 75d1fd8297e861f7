#!/usr/bin/env node
// Structure checks run by `npm run check` (issue 13): the project's own import graph has no cycle, and no source
// file outside bench/ and tests/ is longer than MAX_LINES. Reads files as text: relative `import`/`export … from`
// specifiers (type-only ones included: a cycle of types is a cycle to a reader) of the tracked .ts/.mjs/.js files.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";

const MAX_LINES = 350;
const root = join(dirname(new URL(import.meta.url).pathname), "..");
const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" })
  .split("\n")
  .filter((file) => /\.(ts|mts|mjs|js)$/.test(file) && !file.startsWith("node_modules/"))
  .filter((file) => {
    try {
      readFileSync(join(root, file));
      return true;
    } catch {
      return false; // deleted in the working tree
    }
  });
const known = new Set(files);
const problems = [];

const edges = new Map();
const specifier = /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|^\s*import\s+["']([^"']+)["']/gm;
for (const file of files) {
  const text = readFileSync(join(root, file), "utf8");
  const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
  if (lines > MAX_LINES && !/^(bench|tests)\//.test(file)) {
    problems.push(`${file}: ${lines} lines (at most ${MAX_LINES} outside bench/ and tests/)`);
  }
  const targets = [];
  // Comments hold examples (`import … from "./mod.ts"` in JSDoc), not imports.
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  for (const match of code.matchAll(specifier)) {
    const spec = match[1] ?? match[2] ?? match[3];
    if (!spec.startsWith(".")) continue;
    const target = normalize(join(dirname(file), spec));
    if (known.has(target)) targets.push(target);
  }
  edges.set(file, targets);
}

// Depth-first search with colours: an edge to a file still on the stack closes a cycle.
const state = new Map();
const stack = [];
const cycles = [];
function visit(file) {
  state.set(file, "open");
  stack.push(file);
  for (const target of edges.get(file) ?? []) {
    if (state.get(target) === "open") cycles.push([...stack.slice(stack.indexOf(target)), target].join(" -> "));
    else if (!state.has(target)) visit(target);
  }
  stack.pop();
  state.set(file, "done");
}
for (const file of files) if (!state.has(file)) visit(file);
for (const cycle of cycles) problems.push(`import cycle: ${cycle}`);

if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`check-graph: ${files.length} files, no import cycle, none over ${MAX_LINES} lines outside bench/ and tests/`);
