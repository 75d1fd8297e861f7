#!/usr/bin/env node
// Structure checks run by `npm run check` (issue 13), over the project's own source (.ts, .mts, .mjs, .js):
// - the import graph has no cycle: relative `import` / `export … from` / `import()` specifiers, type-only ones
//   included (a cycle of types is a cycle to a reader);
// - no source file outside bench/ and tests/ is longer than MAX_LINES;
// - mod.ts is a table of contents: each name it exports is declared in the module it names, not relayed there.
// It reads files as text (comments left out: they hold examples). `node scripts/check-graph.mjs [folder]`.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** Longest source file outside bench/ and tests/, in lines. */
export const MAX_LINES = 350;
const SOURCE = /\.(ts|mts|mjs|js)$/;
const SKIPPED = new Set(["node_modules", ".git", "dist", ".vercel"]);

/** The source files of a folder: what git tracks or would track in a checkout, every file elsewhere. */
function sourceFiles(root) {
  let listed;
  try {
    listed = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).split("\n");
  } catch {
    listed = [];
    const walk = (dir) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (SKIPPED.has(entry.name)) continue;
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else listed.push(relative(root, path));
      }
    };
    walk(root);
  }
  return listed.filter((file) => SOURCE.test(file) && !file.split("/").some((part) => SKIPPED.has(part)))
    .filter((file) => {
      try {
        readFileSync(join(root, file));
        return true;
      } catch {
        return false; // deleted in the working tree
      }
    });
}

/** Source without its comments: they hold examples (`import … from "./mod.ts"` in JSDoc), not imports. */
function withoutComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

const SPECIFIER =
  /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|^\s*import\s+["']([^"']+)["']/gm;
const EXPORT_FROM = /export\s+(?:type\s+)?\{([^}]*)\}\s*from\s*["']([^"']+)["']/g;

function exportedNames(list) {
  return list.split(",").map((name) => name.trim().replace(/^type\s+/, "").split(/\s+as\s+/).pop()).filter(Boolean);
}

/** Depth-first search with colours: an edge to a file still on the stack closes a cycle. */
function findCycles(files, edges) {
  const state = new Map();
  const stack = [];
  const cycles = [];
  const visit = (file) => {
    state.set(file, "open");
    stack.push(file);
    for (const target of edges.get(file) ?? []) {
      if (state.get(target) === "open") cycles.push([...stack.slice(stack.indexOf(target)), target].join(" -> "));
      else if (!state.has(target)) visit(target);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return cycles;
}

/**
 * Checks a project folder; returns what is wrong (nothing when all holds) and how many files were read.
 * @param {string} root
 * @returns {{ problems: string[], files: number }}
 */
export function checkGraph(root) {
  const files = sourceFiles(root);
  const known = new Set(files);
  const problems = [];
  const edges = new Map();
  for (const file of files) {
    const text = readFileSync(join(root, file), "utf8");
    const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
    if (lines > MAX_LINES && !/^(bench|tests)\//.test(file)) {
      problems.push(`${file}: ${lines} lines (at most ${MAX_LINES} outside bench/ and tests/)`);
    }
    const targets = [];
    for (const match of withoutComments(text).matchAll(SPECIFIER)) {
      const spec = match[1] ?? match[2] ?? match[3];
      if (!spec.startsWith(".")) continue;
      const target = normalize(join(dirname(file), spec));
      if (known.has(target)) targets.push(target);
    }
    edges.set(file, targets);
  }
  for (const cycle of findCycles(files, edges)) problems.push(`import cycle: ${cycle}`);

  if (known.has("mod.ts")) {
    for (const match of withoutComments(readFileSync(join(root, "mod.ts"), "utf8")).matchAll(EXPORT_FROM)) {
      const target = normalize(match[2]);
      if (!known.has(target)) continue;
      const relayed = new Set();
      for (const inner of withoutComments(readFileSync(join(root, target), "utf8")).matchAll(EXPORT_FROM)) {
        for (const name of exportedNames(inner[1])) relayed.add(name);
      }
      for (const name of exportedNames(match[1])) {
        if (relayed.has(name)) problems.push(`mod.ts: ${name} is relayed by ${target}: export it from where it is declared`);
      }
    }
  }
  return { problems, files: files.length };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "..");
  const { problems, files } = checkGraph(root);
  if (problems.length > 0) {
    console.error(problems.join("\n"));
    process.exit(1);
  }
  console.log(`check-graph: ${files} files, no import cycle, none over ${MAX_LINES} lines outside bench/ and tests/`);
}
