// `vercel build` (the pinned Vercel CLI, offline, no account) builds this project for both runtimes: the committed
// api/index.js as a Node.js function (Vercel Functions), and with its one-line Edge switch applied as an Edge
// function. The end-to-end, bad-input and security suites then run against these outputs (the edge and vercel-node
// targets); this file checks what the build wrote. Registered under Deno only, like those targets.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { EDGE_SWITCH, withEdgeSwitch } from "../scripts/vercel-build.mjs";
import { vercelOutput } from "./support/vercel-output.mjs";
import { currentRuntime, ROOT, startServer, TARGETS } from "./support/server-process.ts";
import { SECRET, uid, webhook } from "./support/webhooks.ts";

if (currentRuntime() === "deno") {
  test("the committed Vercel function runs on the Node.js runtime, and vercel build writes it as a Node.js function", async () => {
    const source = readFileSync(join(ROOT, "api", "index.js"), "utf8");
    assert.ok(source.split("\n").includes(EDGE_SWITCH), "api/index.js keeps the Edge switch commented out");
    const { func, vcConfig } = await vercelOutput("nodejs");
    assert.equal(vcConfig.launcherType, "Nodejs");
    assert.match(vcConfig.runtime, /^nodejs\d+\.x$/);
    assert.equal(vcConfig.handler, "api/index.js");
    assert.ok(readFileSync(join(func, "dist", "vercel.js")).length > 0);
  });

  test("uncommenting the one Edge line makes vercel build write an Edge function", async () => {
    assert.throws(() => withEdgeSwitch("export {};"), /no line/);
    const { vcConfig } = await vercelOutput("edge");
    assert.equal(vcConfig.runtime, "edge");
    assert.equal(vcConfig.entrypoint, "api/index.js");
  });

  test("vercel build routes /agent, /authorize and /health to the function and serves no source file", async () => {
    const { output, routesToFunction } = await vercelOutput("nodejs");
    for (const path of ["/agent", "/authorize", "/health"]) assert.ok(routesToFunction(path), path);
    assert.equal(routesToFunction("/package.json"), false);
    const files = JSON.parse(readFileSync(join(output, "config.json"), "utf8"));
    assert.ok(Array.isArray(files.routes));
    assert.equal(readFileSync(join(output, "static", "robots.txt"), "utf8"), "User-agent: *\nDisallow: /\n");
  });

  test("work that outlives the response goes to waitUntil from @vercel/functions, on the Node.js and Edge runtimes", async () => {
    const source = readFileSync(join(ROOT, "platforms", "vercel.ts"), "utf8");
    assert.match(source, /import \{ waitUntil \} from "@vercel\/functions";/);
    assert.doesNotMatch(source, /request-context/, "no reading of Vercel's internal request-context symbol");
    for (const target of [TARGETS["vercel-node"], TARGETS.edge]) {
      const server = await startServer(target, { LAYERCODE_WEBHOOK_SECRET: SECRET });
      try {
        const body = { type: "session.end", session_id: "s", conversation_id: uid("conv"), transcript: [] };
        const response = await fetch(await webhook(`${server.url}/agent`, body));
        assert.equal(response.status, 200);
        await response.body?.cancel();
        for (let i = 0; i < 50 && !server.output().includes("waitUntil"); i++) await new Promise((r) => setTimeout(r, 100));
        assert.match(server.output(), /request context: waitUntil/, `${target.name}: session.end hooks handed to waitUntil`);
      } finally {
        await server.stop();
      }
    }
  });
}
