// The bundles the platforms deploy (scripts/build.mjs), built as `npm run build` builds them: the Workers bundle stays
// small, and neither it nor the Vercel bundle depends on Node built-ins or another runtime's API. Registered under
// `deno test` only: building is the same under either runner, and once is enough.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { buildBundles } from "../scripts/build.mjs";
import { currentRuntime, ROOT } from "./support/server-process.ts";

const WORKERS_LIMIT_GZIP_BYTES = 150 * 1024;

if (currentRuntime() === "deno") {
  const built = buildBundles({ names: ["cloudflare", "vercel"], outdir: `${ROOT}tests/.tmp/bundles` });
  built.catch(() => {});
  const code = async (name: string) => {
    const bundle = (await built).find((b) => b.name === name)!;
    return { ...bundle, text: readFileSync(bundle.path, "utf8") };
  };

  test("the Workers bundle stays under 150 KB gzipped", async () => {
    const { gzipBytes, bytes } = await code("cloudflare");
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    assert.ok(
      gzipBytes <= WORKERS_LIMIT_GZIP_BYTES,
      `dist/cloudflare.js is ${kb(gzipBytes)} gzipped (${kb(bytes)} minified), over the 150 KB budget`,
    );
  });

  const WHY = { cloudflare: "it runs without nodejs_compat", vercel: "Vercel's Edge runtime has none" };
  for (const name of ["cloudflare", "vercel"] as const) {
    test(`the ${name} bundle imports no Node built-in (${WHY[name]})`, async () => {
      const { text } = await code(name);
      const found = text.match(/(?:from\s*|import\s*\(?\s*|require\s*\(\s*)["'`]node:[\w/]+["'`]/g);
      assert.equal(found, null, `node: imports in the ${name} bundle: ${found?.join(", ")}`);
    });

    test(`the ${name} bundle holds the providers MODEL_PROVIDER chooses, and never the AI SDK`, async () => {
      const { text } = await code(name);
      for (const provider of ["gemini", "openai", "workers-ai"]) {
        assert.ok(text.includes(`name:"${provider}"`), `the ${provider} provider is in the ${name} bundle`);
      }
      assert.ok(!text.includes("vercel.ai.error"), `the AI SDK (ai, @ai-sdk/*) is in the ${name} bundle`);
      assert.ok(!text.includes('name:"ai-sdk"'), `llm/ai-sdk.ts is in the ${name} bundle`);
    });

    test(`the ${name} bundle references no Deno or Bun API`, async () => {
      const { text } = await code(name);
      const found = text.match(/.{0,40}\b(?:Deno|Bun)\.\w+.{0,40}/g);
      assert.equal(found, null, `runtime-specific references in the ${name} bundle:\n${found?.join("\n")}`);
    });
  }
}
