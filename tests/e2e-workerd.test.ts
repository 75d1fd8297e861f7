// [workerd] The Workers bundle (dist/cloudflare.js) in workerd through miniflare, history in a real KV namespace.
// Registered under one runner only (RUNNER_OF in tests/support/server-process.ts).
import { e2eSuite } from "./support/e2e-suite.ts";
import { currentRuntime, RUNNER_OF, TARGETS } from "./support/server-process.ts";

if (RUNNER_OF.workerd === currentRuntime()) e2eSuite(TARGETS.workerd);
