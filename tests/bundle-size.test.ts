// The bundles the platforms deploy (scripts/build.mjs), built as `npm run build` builds them: the default Workers
// bundle (Gemini) stays within the 25 KB budget, each Workers entry holds its own model provider and no other, and no
// bundle depends on Node built-ins or another runtime's API. Registered under `deno test` only: building is the same
// under either runner, and once is enough.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { WORKERS_CEILING_GZIP_BYTES } from "../bench/bundle-size.mjs";
import { buildBundles } from "../scripts/build.mjs";
import { currentRuntime, ROOT } from "./support/server-process.ts";

/** What gives each provider away in a minified bundle: its provider object's name, and its upstream's default URL. */
const MARKS = {
  gemini: ['name:"gemini"', "generativelanguage.googleapis.com"],
  openai: ['name:"openai"', "api.openai.com"],
  "workers-ai": ['name:"workers-ai"', "@cf/meta/llama"],
} as const;
type Provider = keyof typeof MARKS;

/** The Workers entries, and the one provider each holds. */
const WORKERS: Record<string, Provider> = {
  cloudflare: "gemini",
  "cloudflare-openai": "openai",
  "cloudflare-workers-ai": "workers-ai",
};
const NAMES = [...Object.keys(WORKERS), "vercel"] as const;

if (currentRuntime() === "deno") {
  const built = buildBundles({ names: [...NAMES] as never, outdir: `${ROOT}tests/.tmp/bundles` });
  built.catch(() => {});
  const code = async (name: string) => {
    const bundle = (await built).find((b) => b.name === name)!;
    return { ...bundle, text: readFileSync(bundle.path, "utf8") };
  };
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

  // The 25 KB target (WORKERS_BUDGET_GZIP_BYTES) is not met yet: `npm run bench` prints it PASS/MISS. The test holds
  // the bundles under the ceiling measured when it was last missed, so that they cannot grow unnoticed.
  test("the default Workers bundle (Gemini) does not grow past its 34.8 KB gzipped ceiling", async () => {
    const { gzipBytes, bytes } = await code("cloudflare");
    assert.ok(
      gzipBytes <= WORKERS_CEILING_GZIP_BYTES,
      `dist/cloudflare.js is ${kb(gzipBytes)} gzipped (${kb(bytes)} minified), over the ${kb(WORKERS_CEILING_GZIP_BYTES)} ceiling`,
    );
  });

  test("the Workers bundles of the other providers are smaller than the default one", async () => {
    const gemini = (await code("cloudflare")).gzipBytes;
    for (const name of ["cloudflare-openai", "cloudflare-workers-ai"]) {
      const { gzipBytes } = await code(name);
      assert.ok(gzipBytes < gemini, `dist/${name}.js is ${kb(gzipBytes)} gzipped, the Gemini bundle ${kb(gemini)}`);
    }
  });

  for (const [name, provider] of Object.entries(WORKERS)) {
    test(`the ${name} bundle holds the ${provider} provider and no other, and never the AI SDK`, async () => {
      const { text } = await code(name);
      for (const [other, marks] of Object.entries(MARKS)) {
        for (const mark of marks) {
          assert.equal(text.includes(mark), other === provider, `${mark} (${other}) in dist/${name}.js: ${text.includes(mark)}`);
        }
      }
      assert.ok(!text.includes("vercel.ai.error"), `the AI SDK (ai, @ai-sdk/*) is in the ${name} bundle`);
    });
  }

  test("the vercel bundle holds every provider MODEL_PROVIDER chooses from, and never the AI SDK", async () => {
    const { text } = await code("vercel");
    for (const [provider, [mark]] of Object.entries(MARKS)) assert.ok(text.includes(mark), `${provider} is in the vercel bundle`);
    assert.ok(!text.includes("vercel.ai.error"), "the AI SDK (ai, @ai-sdk/*) is in the vercel bundle");
    assert.ok(!text.includes('name:"ai-sdk"'), "llm/ai-sdk.ts is in the vercel bundle");
  });

  const WHY = { cloudflare: "it runs without nodejs_compat", vercel: "Vercel's Edge runtime has none" };
  for (const name of NAMES) {
    const why = name === "vercel" ? WHY.vercel : WHY.cloudflare;
    test(`the ${name} bundle imports no Node built-in (${why})`, async () => {
      const { text } = await code(name);
      const found = text.match(/(?:from\s*|import\s*\(?\s*|require\s*\(\s*)["'`]node:[\w/]+["'`]/g);
      assert.equal(found, null, `node: imports in the ${name} bundle: ${found?.join(", ")}`);
    });

    test(`the ${name} bundle references no Deno or Bun API`, async () => {
      const { text } = await code(name);
      const found = text.match(/.{0,40}\b(?:Deno|Bun)\.\w+.{0,40}/g);
      assert.equal(found, null, `runtime-specific references in the ${name} bundle:\n${found?.join("\n")}`);
    });
  }
}
