// Bad input and security end to end, against every runtime served as a real process (TARGETS); each target is
// registered under the one runner that starts it (RUNNER_OF), so `npm test` runs every runtime's suite once.
import { badInputSuite } from "./support/bad-input-suite.ts";
import { securitySuite } from "./support/security-suite.ts";
import { currentRuntime, RUNNER_OF, TARGETS } from "./support/server-process.ts";

const runtime = currentRuntime();
for (const name of Object.keys(TARGETS) as (keyof typeof TARGETS)[]) {
  if (RUNNER_OF[name] !== runtime) continue;
  badInputSuite(TARGETS[name]);
  securitySuite(TARGETS[name]);
}
