/**
 * Deno and Deno Deploy: `deno task start`, `deno task dev` (watch). Deno KV on Deploy or with `DENO_KV_PATH`.
 *
 * On Deno Deploy the app is served with `Deno.serve` (Deploy's front times idle clients out). Self-hosted, it is served
 * through Deno's `node:http` (@hono/node-server), which can close a stalled upload's connection: `Deno.serve` keeps a
 * connection while a read of the request body is pending, even after the 408, and hands the handler no socket to close.
 */
import { agent } from "../agent.ts";
import { createApp } from "../app/create-app.ts";
import { listeningMessage, readServeConfig, serverUrl } from "../lib/config.ts";
import { idleTimeoutSeconds } from "./connections.ts";
import { withDevelopmentPage } from "./dev-page.ts";
import { openDenoKvStore } from "./deno-kv.ts";
import { serverStoreOpeners } from "./server-stores.ts";
import { storeFromEnv } from "../storage/from-env.ts";

const env = Deno.env.toObject();
const { hostname, port, development } = readServeConfig(env);
const store = await storeFromEnv(env, {
  denoKv: (path) => openDenoKvStore(path, env),
  ...serverStoreOpeners,
});
const app = withDevelopmentPage(createApp({ ...agent, env, development, store }), development);
const listening = (address: { hostname?: string; address?: string; port: number }) => {
  const name = address.hostname ?? address.address ?? hostname;
  console.log(listeningMessage(`Deno ${Deno.version.deno}`, serverUrl(name, address.port), development));
};

if (env.DENO_DEPLOYMENT_ID) {
  Deno.serve({ hostname, port, onListen: listening }, app.fetch);
} else {
  const { serveNodeHttp } = await import("./node-http.ts");
  const server = serveNodeHttp(app, {
    hostname,
    port,
    idleTimeoutSeconds: idleTimeoutSeconds(env),
    onListen: (port) => listening({ hostname, port }),
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => server.close(() => Deno.exit(0)));
  }
}
