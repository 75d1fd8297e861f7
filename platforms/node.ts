/** Node.js 20+: `npm run start:node` bundles this file (Node 20 runs no TypeScript) and serves it with @hono/node-server. */
import { serve } from "@hono/node-server";
import { agent } from "../agent.ts";
import { createApp } from "../lib/app.ts";
import { listeningMessage, readServeConfig } from "../lib/config.ts";
import { storeFromEnv } from "../storage/from-env.ts";
import { withDevelopmentPage } from "./dev-page.ts";
import { serverStoreOpeners } from "./server-stores.ts";

const { hostname, port, development } = readServeConfig(process.env);
const store = await storeFromEnv(process.env, serverStoreOpeners);
const app = withDevelopmentPage(createApp({ ...agent, development, store }), development);
const server = serve({ fetch: app.fetch, hostname, port }, (info) => {
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  console.log(listeningMessage(`Node.js ${process.version}`, `http://${host}:${info.port}`, development));
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
