// [vercel-node] The Vercel function (api/index.js → dist/vercel.js) as Vercel's Node.js runtime calls a Web-standard
// function. Registered under one runner only (RUNNER_OF in tests/support/server-process.ts).
import { e2eSuite } from "./support/e2e-suite.ts";
import { currentRuntime, RUNNER_OF, TARGETS } from "./support/server-process.ts";

if (RUNNER_OF["vercel-node"] === currentRuntime()) e2eSuite(TARGETS["vercel-node"]);
