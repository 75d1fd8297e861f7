// [workerd] The Worker `wrangler deploy --dry-run` builds from wrangler.toml, in workerd through miniflare, history in
// a real KV namespace; [workerd-durable] the same with `--env durable`, history in the ConversationObject Durable
// Object. Each is registered under one runner only (RUNNER_OF in tests/support/server-process.ts).
import { e2eSuite } from "./support/e2e-suite.ts";
import { currentRuntime, RUNNER_OF, TARGETS } from "./support/server-process.ts";

for (const name of ["workerd", "workerd-durable"] as const) {
  if (RUNNER_OF[name] === currentRuntime()) e2eSuite(TARGETS[name]);
}
