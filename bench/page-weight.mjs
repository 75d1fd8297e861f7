// Weight of the development playground (`GET /` in development mode, handlers/page.ts): its one HTML document with
// inline style and script, and the Layercode browser SDK that only voice mode loads. `node bench/page-weight.mjs`
// prints it; `--write` stores it in bench/results.json and regenerates BENCHMARKS.md (and bench/chart.svg) from that
// file, as bench/run.mjs does after a full run, which measures it too.
import { build } from "esbuild";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { renderChart, renderMarkdown } from "./report.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const gzip = (bytes) => gzipSync(bytes, { level: 9 }).byteLength;

/**
 * Measures the playground page as the server sends it (UTF-8), and the SDK that voice mode imports.
 * @returns {Promise<{ htmlBytes: number, htmlGzipBytes: number, scriptBytes: number, styleBytes: number, sdkVersion: string, sdkBytes: number, sdkGzipBytes: number }>}
 */
export async function pageWeight() {
  const result = await build({
    absWorkingDir: ROOT,
    stdin: { contents: 'export { pageHtml } from "./handlers/page.ts";', resolveDir: ROOT, loader: "ts" },
    bundle: true,
    write: false,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    logLevel: "silent",
  });
  const { pageHtml } = await import(`data:text/javascript;base64,${Buffer.from(result.outputFiles[0].contents).toString("base64")}`);
  const html = Buffer.from(pageHtml(), "utf8");
  const inline = (tag) => Buffer.byteLength(pageHtml().match(new RegExp(`<${tag}[^>]*>([\\s\\S]*?)</${tag}>`))?.[1] ?? "", "utf8");
  const sdkDir = join(ROOT, "node_modules/@layercode/js-sdk");
  const sdk = readFileSync(join(sdkDir, "dist/layercode-js-sdk.esm.js"));
  return {
    htmlBytes: html.byteLength,
    htmlGzipBytes: gzip(html),
    scriptBytes: inline("script"),
    styleBytes: inline("style"),
    sdkVersion: JSON.parse(readFileSync(join(sdkDir, "package.json"), "utf8")).version,
    sdkBytes: sdk.byteLength,
    sdkGzipBytes: gzip(sdk),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const page = await pageWeight();
  console.log(JSON.stringify(page, null, 2));
  if (process.argv.includes("--write")) {
    const path = join(ROOT, "bench/results.json");
    const results = JSON.parse(readFileSync(path, "utf8"));
    results.page = { ...page, date: new Date().toISOString() };
    writeFileSync(path, JSON.stringify(results, null, 2) + "\n");
    writeFileSync(join(ROOT, "bench/chart.svg"), renderChart(results));
    writeFileSync(join(ROOT, "BENCHMARKS.md"), renderMarkdown(results));
    console.log("wrote bench/results.json, BENCHMARKS.md, bench/chart.svg");
  }
}
