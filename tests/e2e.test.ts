// End to end, one suite for every runtime, each started as a real process (tests/support/server-process.ts):
//   bun test  → [bun] platforms/bun.ts, [workerd] (tests/e2e-workerd.test.ts), [node] (tests/e2e-node.test.ts)
//   deno test → [deno] platforms/deno.ts, [edge] (tests/e2e-edge.test.ts)
// so `npm test` runs each exactly once (RUNNER_OF). This file serves the runtime running it.
import { e2eSuite } from "./support/e2e-suite.ts";
import { currentRuntime, RUNNER_OF, TARGETS } from "./support/server-process.ts";

const runtime = currentRuntime();
if (RUNNER_OF[runtime] === runtime) e2eSuite(TARGETS[runtime]);
