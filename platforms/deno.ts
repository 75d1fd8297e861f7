/** Deno and Deno Deploy: `deno task start`, `deno task dev` (watch). Deno KV on Deploy or with `DENO_KV_PATH`. */
import { agent } from "../agent.ts";
import { createApp } from "../lib/app.ts";
import { listeningMessage, readServeConfig } from "../lib/config.ts";
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
Deno.serve({
  hostname,
  port,
  onListen: ({ hostname, port }) => {
    const host = hostname.includes(":") ? `[${hostname}]` : hostname;
    console.log(listeningMessage(`Deno ${Deno.version.deno}`, `http://${host}:${port}`, development));
  },
}, app.fetch);
