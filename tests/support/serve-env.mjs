// What the serve-*.mjs launchers share: the repository root, and the test's variables turned into the platform's
// environment (Workers bindings, Vercel's process.env) without the launcher's own process variables.
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

const PROCESS_ONLY = new Set(["PATH", "HOME", "HOST", "PORT", "NO_COLOR", "FORCE_COLOR", "PWD", "OLDPWD", "SHLVL", "_"]);

/** The variables a deployed function would see: everything the test set, minus the launcher's process plumbing. */
export function workerBindings(env) {
  return Object.fromEntries(
    Object.entries(env).filter(([name, value]) =>
      value !== undefined && !PROCESS_ONLY.has(name) && !/^(npm_|NODE_|BUN_|DENO_|WRANGLER_)/.test(name)
    ),
  );
}
