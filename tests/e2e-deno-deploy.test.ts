// [deno-deploy] Deno Deploy reproduced as closely as this machine allows (tests/support/deno-deploy.ts): exactly the
// files `deno deploy` uploads, deno.json's `deploy.install` run in that copy, its entrypoint served by Deno with
// DENO_DEPLOYMENT_ID set, then the end-to-end suite with history in Deno KV's default database (what Deploy gives an
// app with an assigned KV database). Without an assigned database the app refuses to start and says how to assign
// one. Registered under Bun's run only (the server is Deno either way).
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { deployConfig, deployTarget, prepareDeployCopy, removeDeployCopy, uploadedFiles } from "./support/deno-deploy.ts";
import { e2eSuite } from "./support/e2e-suite.ts";
import { currentRuntime, startServer } from "./support/server-process.ts";

if (currentRuntime() === "bun") {
  const dir = prepareDeployCopy();
  after(() => removeDeployCopy(dir));

  test("[deno-deploy] deno.json's deploy config names the entrypoint and an install step without dev tooling", () => {
    const { deploy } = deployConfig();
    assert.equal(deploy.runtime.type, "dynamic");
    assert.equal(deploy.runtime.entrypoint, "./platforms/deno.ts");
    assert.match(deploy.install ?? "", /^npm ci --omit=dev\b/);
  });

  test("[deno-deploy] the upload holds the app and its lockfile, not node_modules, tests, bench or secrets", () => {
    const files = uploadedFiles();
    for (const file of ["deno.json", "package.json", "package-lock.json", "platforms/deno.ts", "agent.ts", "app/create-app.ts"]) {
      assert.ok(files.includes(file), `${file} is uploaded`);
    }
    for (const prefix of ["node_modules/", "tests/", "bench/", "scripts/", "dist/"]) {
      assert.equal(files.filter((file) => file.startsWith(prefix)).length, 0, `nothing under ${prefix} is uploaded`);
    }
    assert.equal(files.filter((file) => /(^|\/)\.env($|\.)/.test(file) && file !== ".env.example").length, 0);
  });

  test("[deno-deploy] the install step installs the app's dependencies and none of the test runtimes", () => {
    for (const name of ["hono", "@google/generative-ai", "@upstash/redis"]) {
      assert.ok(existsSync(join(dir, "node_modules", name, "package.json")), `${name} is installed`);
    }
    for (const name of ["deno", "bun", "workerd", "miniflare", "vercel", "esbuild", "@layercode/js-sdk", "onnxruntime-web"]) {
      assert.equal(existsSync(join(dir, "node_modules", name)), false, `${name} is not installed`);
    }
  });

  test("[deno-deploy] without a KV database assigned, the app refuses to start and says how to assign one", async () => {
    const target = deployTarget(dir);
    // What Deno Deploy's runtime does for an app with no database: Deno.openKv() refuses to fall back to a local store.
    const started = startServer({ ...target, name: "deno-deploy without KV" }, {
      ...target.env?.(),
      LAYERCODE_WEBHOOK_SECRET: "whsec_test",
      DENO_KV_REQUIRES_DISTRIBUTED_DATABASE: "error",
    });
    await assert.rejects(started, (error: Error) => {
      assert.match(error.message, /exited with 1 before listening/);
      assert.match(error.message, /deno deploy database assign/);
      assert.match(error.message, /SESSION_STORE=memory/);
      return true;
    });
  });

  e2eSuite({ ...deployTarget(dir), durable: true });
}
