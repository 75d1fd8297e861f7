/** Opens Deno KV for platforms/deno.ts: a file at `DENO_KV_PATH`, or Deno's default database, Deno Deploy's included. */
import { ConfigError, errorText } from "../lib/errors.ts";
import { createDenoKvStore } from "../storage/deno-kv.ts";
import type { ConversationStore } from "../storage/types.ts";

/** What to do when Deno Deploy has no KV database for the app: the message names the fix. */
export const DEPLOY_KV_FIX = "on Deno Deploy, provision a Deno KV database and assign it to this app " +
  "(`deno deploy database provision <name> --kind denokv`, then `deno deploy database assign <name> --app <app>`, " +
  "or Databases → Provision Database → Assign in the dashboard) and redeploy; or choose another store " +
  "(UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN, REDIS_URL), or SESSION_STORE=memory to keep history in " +
  "each instance's memory only";

/**
 * Opens Deno KV at `path` (`undefined`: the default database). On Deno Deploy (`DENO_DEPLOYMENT_ID`) without a
 * `path`, the default database is the one assigned to the app; when there is none, the runtime either hides
 * `Deno.openKv` or refuses to open it, and this throws a {@link ConfigError} that says how to assign one.
 * @throws {ConfigError} when Deno KV cannot be opened on Deno Deploy.
 */
export async function openDenoKvStore(
  path: string | undefined,
  env: Record<string, string | undefined>,
): Promise<ConversationStore> {
  const onDeploy = !path && Boolean(env.DENO_DEPLOYMENT_ID);
  const openKv = (Deno as { openKv?: typeof Deno.openKv }).openKv;
  if (typeof openKv !== "function") {
    throw new ConfigError(`Deno KV is not available in this runtime: ${onDeploy ? DEPLOY_KV_FIX : "run with --unstable-kv"}`);
  }
  try {
    return createDenoKvStore({ kv: await openKv(path) });
  } catch (error) {
    if (!onDeploy) throw error;
    throw new ConfigError(`Deno KV could not be opened (${errorText(error)}): ${DEPLOY_KV_FIX}`);
  }
}
