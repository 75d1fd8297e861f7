// [edge] The Vercel function (api/index.js and the dist/vercel.js it re-exports) in Vercel's Edge Runtime.
// Registered under one runner only (RUNNER_OF in tests/support/server-process.ts).
import { e2eSuite } from "./support/e2e-suite.ts";
import { currentRuntime, RUNNER_OF, TARGETS } from "./support/server-process.ts";

if (RUNNER_OF.edge === currentRuntime()) e2eSuite(TARGETS.edge);
