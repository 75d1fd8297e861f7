/** Node.js 20+: `npm run start:node` bundles this file (Node 20 runs no TypeScript) and serves it with @hono/node-server. */
import { agent } from "../agent.ts";
import { createApp } from "../app/create-app.ts";
import { listeningMessage, readServeConfig, serverUrl } from "../lib/config.ts";
import { storeFromEnv } from "../storage/from-env.ts";
import { idleTimeoutSeconds } from "./connections.ts";
import { withDevelopmentPage } from "./dev-page.ts";
import { serveNodeHttp } from "./node-http.ts";
import { serverStoreOpeners } from "./server-stores.ts";

const { hostname, port, development } = readServeConfig(process.env);
const store = await storeFromEnv(process.env, serverStoreOpeners);
const app = withDevelopmentPage(createApp({ ...agent, env: process.env, development, store }), development);
const server = serveNodeHttp(app, {
  hostname,
  port,
  idleTimeoutSeconds: idleTimeoutSeconds(process.env),
  onListen: (port) => console.log(listeningMessage(`Node.js ${process.version}`, serverUrl(hostname, port), development)),
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
