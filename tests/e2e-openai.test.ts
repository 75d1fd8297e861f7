// End to end with the OpenAI-compatible provider: every runtime's server process (as tests/e2e.test.ts and the
// e2e-*.test.ts files start them for Gemini) talks Chat Completions SSE to a real HTTP server on loopback
// (tests/support/openai-server.ts). Each target runs under the runner RUNNER_OF gives it, so `npm test` runs each once.
import { describe } from "node:test";
import { e2eSuite } from "./support/e2e-suite.ts";
import { currentRuntime, RUNNER_OF, TARGETS } from "./support/server-process.ts";

for (
  const [name, target] of Object.entries(TARGETS) as [keyof typeof TARGETS, (typeof TARGETS)[keyof typeof TARGETS]][]
) {
  if (RUNNER_OF[name] !== currentRuntime()) continue;
  describe(`${name} with the OpenAI-compatible provider`, () => e2eSuite(target, { MODEL_PROVIDER: "openai" }));
}
