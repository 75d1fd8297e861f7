// Sizes of the edge bundles (Cloudflare Workers, Vercel Edge): esbuild, in memory, unminified and minified, and the
// minified one gzipped. Importable, so that a test can hold the bundles to a budget:
//   import { bundleSizes } from "../bench/bundle-size.mjs";
import { build } from "esbuild";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The edge targets: their entry and the package conditions their platform resolves with. */
export const EDGE_BUNDLES = {
  workers: { entry: "platforms/cloudflare.ts", conditions: ["workerd", "worker", "browser"] },
  vercel: { entry: "platforms/vercel.ts", conditions: ["edge-light", "browser"] },
};

/**
 * Bundles one entry as an ES module for a Web-standard platform and measures it.
 * @param {string} entry path from the repository root
 * @param {{ conditions: string[], platform?: "neutral" | "browser" }} options
 * @returns {Promise<{ entry: string, rawBytes: number, minifiedBytes: number, gzipBytes: number, inputs: number }>}
 */
export async function bundleSize(entry, { conditions, platform = "neutral", plugins = [] }) {
  const once = async (minify) => {
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: "esm",
      platform,
      target: "es2022",
      conditions,
      mainFields: ["module", "main"],
      minify,
      legalComments: "none",
      metafile: true,
      logLevel: "silent",
      plugins,
    });
    return { code: result.outputFiles[0].contents, inputs: Object.keys(result.metafile.inputs).length };
  };
  const raw = await once(false);
  const minified = await once(true);
  return {
    entry,
    rawBytes: raw.code.byteLength,
    minifiedBytes: minified.code.byteLength,
    gzipBytes: gzipSync(minified.code, { level: 9 }).byteLength,
    inputs: minified.inputs,
  };
}

/**
 * Sizes of every edge bundle whose entry exists; the others say so.
 * @returns {Promise<Record<string, Awaited<ReturnType<typeof bundleSize>> | { entry: string, missing: string } | { entry: string, error: string }>>}
 */
export async function bundleSizes() {
  const out = {};
  for (const [name, { entry, conditions }] of Object.entries(EDGE_BUNDLES)) {
    if (!existsSync(join(ROOT, entry))) {
      out[name] = { entry, missing: `${entry} is not there yet` };
      continue;
    }
    try {
      out[name] = await bundleSize(entry, { conditions });
    } catch (error) {
      out[name] = { entry, error: String(error?.message ?? error).split("\n")[0] };
    }
  }
  return out;
}

/** The model providers of the default bundles (llm/from-env.ts imports them all), by file. */
const PROVIDER_FILES = { gemini: "gemini.ts", openai: "openai.ts", "workers-ai": "workers-ai.ts" };

/** An esbuild plugin that replaces the named providers' modules by stubs, to measure a bundle without them. */
function withoutProviders(names) {
  const files = names.map((name) => PROVIDER_FILES[name]);
  return {
    name: "without-providers",
    setup(build) {
      build.onResolve({ filter: /\.ts$/ }, (args) => {
        const file = args.path.split("/").pop();
        return args.importer.includes("/llm/") && files.includes(file) ? { path: file, namespace: "stub" } : undefined;
      });
      build.onLoad({ filter: /.*/, namespace: "stub" }, () => ({
        loader: "js",
        contents: ["createGeminiModel", "createOpenAiModel", "createWorkersAiModel"]
          .map((f) => `export function ${f}() { throw new Error("left out"); }`)
          .concat(["DEFAULT_OPENAI_BASE_URL", "DEFAULT_OPENAI_MODEL", "DEFAULT_WORKERS_AI_MODEL"].map((c) => `export const ${c} = "";`))
          .join("\n"),
      }));
    },
  };
}

/**
 * The Workers bundle with and without each model provider (the ones left out replaced by stubs), and the AI SDK
 * adapter's own bundle (`ai` included), which no default bundle holds.
 * @returns {Promise<Record<string, { entry: string, gzipBytes: number, minifiedBytes: number } | { entry: string, error: string }>>}
 */
export async function providerBundleSizes() {
  const { entry, conditions } = EDGE_BUNDLES.workers;
  const variants = {
    "workers, every provider (the default)": [],
    "workers, Gemini only": ["openai", "workers-ai"],
    "workers, without Gemini": ["gemini"],
    "workers, without OpenAI-compatible": ["openai"],
    "workers, without Workers AI": ["workers-ai"],
    "workers, no provider": ["gemini", "openai", "workers-ai"],
  };
  const out = {};
  for (const [name, left] of Object.entries(variants)) {
    out[name] = await bundleSize(entry, { conditions, plugins: [withoutProviders(left)] });
  }
  try {
    out["llm/ai-sdk.ts with ai (a subpath, never in a default bundle)"] = await bundleSize("llm/ai-sdk.ts", { conditions });
  } catch (error) {
    out["llm/ai-sdk.ts"] = { entry: "llm/ai-sdk.ts", error: String(error?.message ?? error).split("\n")[0] };
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify({ ...await bundleSizes(), providers: await providerBundleSizes() }, null, 2));
}
