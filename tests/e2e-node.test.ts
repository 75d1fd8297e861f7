// [node] platforms/node.ts on Node.js through @hono/node-server, bundled as `npm run start:node` runs it.
// Registered under one runner only (RUNNER_OF in tests/support/server-process.ts).
import { e2eSuite } from "./support/e2e-suite.ts";
import { currentRuntime, RUNNER_OF, TARGETS } from "./support/server-process.ts";

if (RUNNER_OF.node === currentRuntime()) e2eSuite(TARGETS.node);
