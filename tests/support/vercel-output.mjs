// What the Vercel launchers share: `vercel build` of one runtime variant (scripts/vercel-build.mjs, in a copy of
// the checkout in the system's temporary folder, outside the test and type-check globs, rebuilt only when a file
// changed), the function it wrote, and its routes.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { vercelBuild } from "../../scripts/vercel-build.mjs";
import { ROOT } from "./serve-env.mjs";

/**
 * Builds the variant and reads the one function (`api/index.func`) and the routes from `.vercel/output`.
 * @param {"nodejs" | "edge"} runtime
 */
export async function vercelOutput(runtime) {
  const checkout = createHash("sha256").update(ROOT).digest("hex").slice(0, 12);
  const dir = join(tmpdir(), `layercode-agent-vercel-${checkout}`, runtime);
  const output = await vercelBuild({ dir, edge: runtime === "edge" });
  const func = join(output, "functions", "api", "index.func");
  const vcConfig = JSON.parse(readFileSync(join(func, ".vc-config.json"), "utf8"));
  const { routes } = JSON.parse(readFileSync(join(output, "config.json"), "utf8"));
  // The paths vercel.json rewrites to the function (the request keeps its own path, as on Vercel).
  const rewrites = routes.filter((route) => route.dest === "/api" && route.src).map((route) => new RegExp(route.src));
  return { output, func, vcConfig, routesToFunction: (path) => path === "/api" || rewrites.some((re) => re.test(path)) };
}
