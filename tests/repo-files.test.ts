// Secrets stay out of git (what `wrangler dev`, Bun and `vercel env pull` read and write), their examples stay in,
// and the licence package.json names is there.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "./support/server-process.ts";

const ignored = (path: string) => spawnSync("git", ["check-ignore", "--no-index", "-q", path], { cwd: ROOT }).status === 0;

test("git ignores .dev.vars, .env and every .env.*, and the platform CLIs' .vercel and .wrangler", () => {
  for (const path of [".dev.vars", ".env", ".env.local", ".env.production", ".env.development.local", ".vercel/project.json", ".wrangler/state/kv"]) {
    assert.ok(ignored(path), `${path} must be git-ignored`);
  }
});

test("the examples are committed: .env.example and .dev.vars.example, which lists the three secrets", () => {
  for (const path of [".env.example", ".dev.vars.example"]) {
    assert.equal(ignored(path), false, `${path} must not be git-ignored`);
    assert.ok(existsSync(join(ROOT, path)), path);
  }
  const example = readFileSync(join(ROOT, ".dev.vars.example"), "utf8");
  for (const name of ["LAYERCODE_WEBHOOK_SECRET", "GOOGLE_GENERATIVE_AI_API_KEY", "LAYERCODE_API_KEY"]) {
    assert.match(example, new RegExp(`^${name}=$`, "m"));
  }
});

test("the MIT licence that package.json names is in LICENSE", () => {
  assert.equal(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).license, "MIT");
  assert.match(readFileSync(join(ROOT, "LICENSE"), "utf8"), /^MIT License\n[\s\S]*Permission is hereby granted, free of charge/);
});
