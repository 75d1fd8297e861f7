// Stalled uploads, slow reply streams and a frozen store, against the long-running servers (Bun, Deno, Node) as real
// processes; each target is registered under the one runner that starts it (RUNNER_OF).
import { currentRuntime, RUNNER_OF, TARGETS } from "./support/server-process.ts";
import { stallSuite } from "./support/stall-suite.ts";

const runtime = currentRuntime();
for (const name of ["bun", "deno", "node"] as const) {
  if (RUNNER_OF[name] === runtime) stallSuite(TARGETS[name]);
}
