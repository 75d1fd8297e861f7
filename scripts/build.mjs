// Bundles the platform entries into dist/ the way each platform deploys them: one minified ES module per target,
// resolved with that platform's package conditions. `npm run build` builds them all and prints their sizes;
// `node scripts/build.mjs cloudflare` builds one; `--development` keeps the development playground in the Node
// bundle (`npm run start:node`). The bundle-size test and bench/ import `buildBundles()`.
import { build } from "esbuild";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * The bundles: `cloudflare` is what `wrangler deploy` uploads (workerd conditions, no Node built-ins) with Gemini,
 * `cloudflare-openai` and `cloudflare-workers-ai` what it uploads from the entries of the other model providers,
 * `vercel` is what `api/index.js` serves on Vercel's Edge or Node runtime (edge-light conditions),
 * `node` is a server for Node.js 20+ (`npm run start:node`); the store clients it loads only when configured
 * (Redis, Upstash) stay in node_modules, since Redis's CommonJS client cannot be bundled into an ES module.
 */
export const BUNDLES = {
  cloudflare: { entry: "platforms/cloudflare.ts", platform: "neutral", conditions: ["workerd", "worker", "browser"] },
  "cloudflare-openai": {
    entry: "platforms/cloudflare-openai.ts",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
  },
  "cloudflare-workers-ai": {
    entry: "platforms/cloudflare-workers-ai.ts",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
  },
  vercel: { entry: "platforms/vercel.ts", platform: "neutral", conditions: ["edge-light", "worker", "browser"] },
  node: { entry: "platforms/node.ts", platform: "node", conditions: ["node"], external: ["redis", "@upstash/redis"] },
};

/**
 * Leaves the development playground (platforms/dev-page.ts: `GET /`, `/dev/*`) out of a bundle: its
 * `withDevelopmentPage()` becomes one that adds nothing. The edge entries never import it; the Node entry does.
 */
const withoutPlayground = {
  name: "without-playground",
  setup(build) {
    build.onResolve({ filter: /(^|\/)dev-page\.ts$/ }, () => ({ path: "dev-page", namespace: "without-playground" }));
    build.onLoad({ filter: /.*/, namespace: "without-playground" }, () => ({
      contents: "export function withDevelopmentPage(app) { return app; }",
      loader: "js",
    }));
  },
};

/**
 * Builds bundles into `outdir` (default dist/). Production bundles hold nothing of the development playground;
 * `development: true` keeps it in the Node bundle, for `npm run start:node` on this machine.
 * @param {{ names?: (keyof typeof BUNDLES)[], outdir?: string, minify?: boolean, development?: boolean }} [options]
 * @returns {Promise<{ name: string, path: string, bytes: number, gzipBytes: number }[]>}
 */
export async function buildBundles(options = {}) {
  const names = options.names ?? Object.keys(BUNDLES);
  const outdir = options.outdir ?? join(ROOT, "dist");
  return await Promise.all(names.map(async (name) => {
    const bundle = BUNDLES[name];
    if (!bundle) throw new Error(`unknown bundle "${name}": choose one of ${Object.keys(BUNDLES).join(", ")}`);
    const path = join(outdir, `${name}.js`);
    await build({
      absWorkingDir: ROOT,
      entryPoints: [bundle.entry],
      outfile: path,
      bundle: true,
      format: "esm",
      platform: bundle.platform,
      target: "es2022",
      conditions: bundle.conditions,
      external: bundle.external,
      mainFields: ["module", "main"],
      minify: options.minify ?? true,
      legalComments: "none",
      logLevel: "warning",
      plugins: options.development ? [] : [withoutPlayground],
    });
    if (name === "vercel") writeVercelStatic(outdir);
    const code = readFileSync(path);
    return { name, path, bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
  }));
}

/**
 * Vercel's output directory (vercel.json `outputDirectory`, dist/public): `vercel build` requires one once the
 * project has a build script. The backend serves no pages, so it holds only a robots.txt that keeps crawlers away.
 */
function writeVercelStatic(outdir) {
  mkdirSync(join(outdir, "public"), { recursive: true });
  writeFileSync(join(outdir, "public", "robots.txt"), "User-agent: *\nDisallow: /\n");
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const names = args.filter((arg) => !arg.startsWith("--"));
  const development = args.includes("--development");
  for (const { name, path, bytes, gzipBytes } of await buildBundles({ ...(names.length ? { names } : {}), development })) {
    console.log(`${name.padEnd(10)} ${path.slice(ROOT.length).padEnd(20)} ${kb(bytes).padStart(9)} min  ${kb(gzipBytes).padStart(8)} gzip`);
  }
}
