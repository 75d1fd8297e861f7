// Each Workers entry holds one model provider (chosen at build time) and still reads MODEL_PROVIDER: the built bundles
// (scripts/build.mjs, what the size budget measures) answer with their own provider, and a provider they leave out,
// named by MODEL_PROVIDER or picked by its key, is a configuration error whose log names the entry to deploy instead.
// The bundles are Web-standard modules: this runs them in the test's runtime; workerd runs them in the e2e suites.
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildBundles } from "../scripts/build.mjs";
import { ROOT } from "./support/server-process.ts";
import { SECRET } from "./support/webhooks.ts";

type Worker = { fetch: (request: Request, env: Record<string, unknown>, ctx: unknown) => Promise<Response> };

const NAMES = ["cloudflare", "cloudflare-openai", "cloudflare-workers-ai"] as const;
const built = buildBundles({ names: [...NAMES] as never, outdir: `${ROOT}tests/.tmp/workers-providers` });
built.catch(() => {});
const workers = new Map<string, Promise<Worker>>();
const worker = (name: (typeof NAMES)[number]) => {
  if (!workers.has(name)) {
    workers.set(name, built.then(async (all) => (await import(all.find((b) => b.name === name)!.path)).default as Worker));
  }
  return workers.get(name)!;
};
const ctx = { waitUntil: () => {}, passThroughOnException: () => {} };
const ai = { run: () => Promise.resolve(new ReadableStream()) };

/** GET /health on a fresh environment object (one runtime per environment), and what the Worker logged. */
async function health(name: (typeof NAMES)[number], env: Record<string, unknown>) {
  const logged: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => logged.push(args.map(String).join(" "));
  try {
    const response = await (await worker(name)).fetch(
      new Request("http://agent.test/health"),
      { LAYERCODE_WEBHOOK_SECRET: SECRET, ...env },
      ctx,
    );
    return { status: response.status, body: await response.json() as { model?: string; error?: string }, log: logged.join("\n") };
  } finally {
    console.error = original;
  }
}

test("each Workers entry answers with its own provider, configured or not", async () => {
  assert.equal((await health("cloudflare", { GOOGLE_GENERATIVE_AI_API_KEY: "g" })).body.model, "gemini/gemini-2.5-flash-lite");
  assert.equal((await health("cloudflare", {})).body.model, "gemini/gemini-2.5-flash-lite");
  assert.equal((await health("cloudflare-openai", { OPENAI_API_KEY: "sk" })).body.model, "openai/gpt-4.1-mini");
  assert.equal((await health("cloudflare-openai", {})).body.model, "openai/gpt-4.1-mini", "without a key: its own, apologizing");
  assert.equal(
    (await health("cloudflare-workers-ai", { AI: ai, WORKERS_AI_MODEL: "@cf/x/y" })).body.model,
    "workers-ai/@cf/x/y",
  );
  assert.equal(
    (await health("cloudflare-workers-ai", { MODEL_PROVIDER: "workers-ai" })).body.model,
    "workers-ai/@cf/meta/llama-3.3-70b-instruct-fp8-fast",
  );
});

test("MODEL_PROVIDER naming a provider the Worker leaves out is a 500 whose log names the entry to deploy", async () => {
  const cases = [
    ["cloudflare", { MODEL_PROVIDER: "openai", OPENAI_API_KEY: "sk" }, "MODEL_PROVIDER=openai", "platforms/cloudflare-openai.ts"],
    ["cloudflare", { MODEL_PROVIDER: "workers-ai", AI: ai }, "MODEL_PROVIDER=workers-ai", "platforms/cloudflare-workers-ai.ts"],
    ["cloudflare-openai", { MODEL_PROVIDER: "gemini" }, "MODEL_PROVIDER=gemini", "platforms/cloudflare.ts"],
    ["cloudflare-workers-ai", { MODEL_PROVIDER: "openai" }, "MODEL_PROVIDER=openai", "platforms/cloudflare-openai.ts"],
  ] as const;
  for (const [name, env, why, entry] of cases) {
    const { status, body, log } = await health(name, env);
    assert.equal(status, 500, `${name} with ${why}`);
    assert.equal(body.error, "the server is misconfigured: its log names the setting to fix");
    assert.ok(log.includes(`${why} asks for the`), log);
    assert.ok(log.includes(`which this build leaves out`), log);
    assert.ok(log.includes(`deploy ${entry} instead`), log);
  }
});

test("a key or binding of a left-out provider alone is refused too, naming the variable, never guessed around", async () => {
  const openai = await health("cloudflare", { OPENAI_API_KEY: "sk-secret-key-123456" });
  assert.equal(openai.status, 500);
  assert.ok(openai.log.includes("OPENAI_API_KEY (or OPENAI_BASE_URL) asks for the openai model provider"), openai.log);
  assert.ok(!openai.log.includes("sk-secret-key-123456"), "the key is not logged");
  const binding = await health("cloudflare-openai", { AI: ai });
  assert.equal(binding.status, 500);
  assert.ok(binding.log.includes("the Workers AI binding AI asks for the workers-ai model provider"), binding.log);
  const unknown = await health("cloudflare", { MODEL_PROVIDER: "anthropic" });
  assert.equal(unknown.status, 500);
  assert.ok(unknown.log.includes("MODEL_PROVIDER must be gemini, openai, workers-ai"), unknown.log);
});
