// Serves the Worker that `wrangler deploy` would upload, in workerd through miniflare: the pinned wrangler builds it
// from wrangler.toml (`deploy --dry-run --outdir`; `--env durable` for the Durable Object variant), and wrangler's
// own reading of that config gives the compatibility date, flags and the SESSIONS binding (a real KV namespace, or
// the ConversationObject Durable Object). With MODEL_PROVIDER=openai or workers-ai it builds that provider's entry
// (`deploy platforms/cloudflare-openai.ts`), as the README tells a user to deploy it. This process's variables
// become the Worker's vars, as `wrangler dev` reads .dev.vars. Prints "listening on http://HOST:PORT" once it serves.
//   node tests/support/serve-workerd.mjs [--env durable]
import { Miniflare } from "miniflare";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { workerBindings } from "./serve-env.mjs";
import { buildWorker, entryFor, workerOptions } from "./wrangler-build.mjs";

const { values } = parseArgs({ options: { env: { type: "string" } } });
const outdir = mkdtempSync(join(tmpdir(), "agent-worker-"));
// The entry holding the provider the test asks for (MODEL_PROVIDER), as a user deploys it (README).
const script = entryFor(process.env.MODEL_PROVIDER);
const [bundle, options] = await Promise.all([
  buildWorker({ outdir, env: values.env, script }),
  workerOptions({ env: values.env }),
]);

const mf = new Miniflare({
  ...options,
  modules: true,
  scriptPath: bundle.path,
  modulesRoot: outdir,
  bindings: { ...options.bindings, ...workerBindings(process.env) },
  host: process.env.HOST ?? "127.0.0.1",
  port: Number(process.env.PORT ?? 8787),
});
const url = await mf.ready;
console.log(`Layercode agent on workerd (miniflare, ${options.compatibilityDate}) listening on ${url.origin}`);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => mf.dispose().finally(() => {
    rmSync(outdir, { recursive: true, force: true });
    process.exit(0);
  }));
}
