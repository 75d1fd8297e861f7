// Serves the Workers bundle (dist/cloudflare.js, what `wrangler deploy` uploads) in workerd through miniflare, with
// wrangler.toml's compatibility date, a real KV namespace bound as SESSIONS, and this process's variables as the
// Worker's bindings, as `wrangler dev` reads .dev.vars. Prints "listening on http://HOST:PORT" once it serves.
import { Miniflare } from "miniflare";
import { readFileSync } from "node:fs";
import { buildBundles } from "../../scripts/build.mjs";
import { ROOT, workerBindings } from "./serve-env.mjs";

const toml = readFileSync(`${ROOT}wrangler.toml`, "utf8");
const compatibilityDate = toml.match(/^compatibility_date\s*=\s*"([^"]+)"/m)?.[1];
if (!compatibilityDate) throw new Error("wrangler.toml has no compatibility_date");
if (/nodejs_compat/.test(toml.replace(/#.*$/gm, ""))) throw new Error("wrangler.toml must not ask for nodejs_compat");

const [bundle] = await buildBundles({ names: ["cloudflare"] });
const mf = new Miniflare({
  modules: true,
  scriptPath: bundle.path,
  compatibilityDate,
  kvNamespaces: ["SESSIONS"],
  bindings: workerBindings(process.env),
  host: process.env.HOST ?? "127.0.0.1",
  port: Number(process.env.PORT ?? 8787),
});
const url = await mf.ready;
console.log(`Layercode agent on workerd (miniflare) listening on ${url.origin}`);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => mf.dispose().finally(() => process.exit(0)));
