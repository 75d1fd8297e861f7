// End to end: the runtime running this file serves the backend as a real process (`bun test` starts
// platforms/bun.ts, `deno test` starts platforms/deno.ts), so `npm test` covers both.
import { e2eSuite } from "./support/e2e-suite.ts";
import { currentRuntime, TARGETS } from "./support/server-process.ts";

e2eSuite(TARGETS[currentRuntime()]);
