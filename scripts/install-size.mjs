// What `npm install` (`npm ci`) puts in node_modules, and which of package.json's dependencies brings it:
// each direct dependency is charged the packages that only it pulls in (shared ones are counted once, as shared).
// Usage: node scripts/install-size.mjs   (after npm ci; the figures in README.md come from it)
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveFrom } from "./lock.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

const counted = new Set(); // inodes: install scripts hard-link a platform binary into its package (bun, deno, workerd)

/** Bytes of a directory's files (apparent size, each file once), leaving out nested node_modules. */
function bytesOf(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      total += bytesOf(path);
      continue;
    }
    const stat = lstatSync(path);
    if (counted.has(`${stat.dev}:${stat.ino}`)) continue;
    counted.add(`${stat.dev}:${stat.ino}`);
    total += stat.size;
  }
  return total;
}

const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8"));
const packages = lock.packages;
const installed = Object.keys(packages).filter((path) => {
  if (!path) return false;
  try {
    return lstatSync(join(ROOT, path)).isDirectory();
  } catch {
    return false; // another platform's optional package
  }
});
const size = new Map(installed.map((path) => [path, bytesOf(join(ROOT, path))]));
const reach = (start) => {
  const seen = new Set();
  const stack = [start];
  while (stack.length) {
    const path = stack.pop();
    if (!path || seen.has(path) || !size.has(path)) continue;
    seen.add(path);
    const entry = packages[path];
    for (const name of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) stack.push(resolveFrom(packages, path, name));
  }
  return seen;
};
const root = packages[""];
const direct = Object.keys({ ...root.dependencies, ...root.devDependencies });
const reached = new Map(direct.map((name) => [name, reach(`node_modules/${name}`)]));
const owners = new Map();
for (const [name, set] of reached) for (const path of set) owners.set(path, [...(owners.get(path) ?? []), name]);
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0).padStart(4)} MB`;
const total = [...size.values()].reduce((a, b) => a + b, 0);
const prod = new Set(Object.keys(root.dependencies ?? {}).flatMap((name) => [...reached.get(name)]));
console.log(`node_modules: ${mb(total)} in ${size.size} packages (dependencies alone, npm ci --omit=dev: ${mb([...prod].reduce((a, p) => a + size.get(p), 0))})`);
const rows = direct.map((name) => ({
  name,
  own: [...reached.get(name)].filter((path) => owners.get(path).length === 1).reduce((a, p) => a + size.get(p), 0),
}));
rows.sort((a, b) => b.own - a.own);
for (const { name, own } of rows) console.log(`${mb(own)}  ${name}`);
const shared = [...owners].filter(([, list]) => list.length > 1).reduce((a, [p]) => a + size.get(p), 0);
console.log(`${mb(shared)}  shared by several`);
const heavy = [...size].sort((a, b) => b[1] - a[1]).slice(0, 8);
console.log("largest packages:");
for (const [path, bytes] of heavy) console.log(`${mb(bytes)}  ${path.slice(path.lastIndexOf("node_modules/") + 13)}  (via ${owners.get(path)?.join(", ") ?? "?"})`);
