// Bad input and security end to end, against the runtime running this file served as a real process
// (`bun test` → platforms/bun.ts, `deno test` → platforms/deno.ts). Both suites take any target of TARGETS: to cover
// the Node-launched ones (workerd, edge, node), register them the way tests/e2e-workerd.test.ts does (RUNNER_OF).
import { badInputSuite } from "./support/bad-input-suite.ts";
import { securitySuite } from "./support/security-suite.ts";
import { currentRuntime, RUNNER_OF, TARGETS } from "./support/server-process.ts";

const runtime = currentRuntime();
if (runtime !== "node" && RUNNER_OF[runtime] === runtime) {
  badInputSuite(TARGETS[runtime]);
  securitySuite(TARGETS[runtime]);
}
