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

/** Source without its comments: they hold examples (`import … from "./mod.ts"` in JSDoc), not imports. */
function withoutComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

const edges = new Map();
const specifier = /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|^\s*import\s+["']([^"']+)["']/gm;
for (const file of files) {
  const text = readFileSync(join(root, file), "utf8");
  const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
  if (lines > MAX_LINES && !/^(bench|tests)\//.test(file)) {
    problems.push(`${file}: ${lines} lines (at most ${MAX_LINES} outside bench/ and tests/)`);
  }
  const targets = [];
  const code = withoutComments(text);
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

// mod.ts is the table of contents: each name it exports is declared in the module it names, one hop away, never
// re-exported there from somewhere else.
const exportFrom = /export\s+(?:type\s+)?\{([^}]*)\}\s*from\s*["']([^"']+)["']/g;
const names = (list) => list.split(",").map((name) => name.trim().replace(/^type\s+/, "").split(/\s+as\s+/).pop()).filter(Boolean);
for (const match of withoutComments(readFileSync(join(root, "mod.ts"), "utf8")).matchAll(exportFrom)) {
  const target = normalize(match[2]);
  if (!known.has(target)) continue;
  const relayed = new Set();
  for (const inner of withoutComments(readFileSync(join(root, target), "utf8")).matchAll(exportFrom)) names(inner[1]).forEach((n) => relayed.add(n));
  for (const name of names(match[1])) {
    if (relayed.has(name)) problems.push(`mod.ts: ${name} is re-exported by ${target}: export it from where it is declared`);
  }
}

if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`check-graph: ${files.length} files, no import cycle, none over ${MAX_LINES} lines outside bench/ and tests/`);
