/** Node.js 20+: `npm run start:node` bundles this file (Node 20 runs no TypeScript) and serves it with @hono/node-server. */
import { serve } from "@hono/node-server";
import { agent } from "../agent.ts";
import { createApp } from "../app/create-app.ts";
import { listeningMessage, readServeConfig, serverUrl } from "../lib/config.ts";
import { storeFromEnv } from "../storage/from-env.ts";
import { idleTimeoutSeconds, isEventStream, isStalledUpload, withConnectionClose } from "./connections.ts";
import { withDevelopmentPage } from "./dev-page.ts";
import { serverStoreOpeners } from "./server-stores.ts";

const { hostname, port, development } = readServeConfig(process.env);
const store = await storeFromEnv(process.env, serverStoreOpeners);
const app = withDevelopmentPage(createApp({ ...agent, env: process.env, development, store }), development);
type NodeBindings = { incoming: { socket: { setTimeout(ms: number): unknown } } };
const server = serve({
  hostname,
  port,
  async fetch(request, env: NodeBindings) {
    const response = await app.fetch(request, env);
    // A reply stream may stay quiet while the model thinks: no idle timeout on its socket (the model timeout bounds it).
    if (isEventStream(response)) env.incoming.socket.setTimeout(0);
    return isStalledUpload(response) ? withConnectionClose(response) : response;
  },
}, (info) => {
  console.log(listeningMessage(`Node.js ${process.version}`, serverUrl(hostname, info.port), development));
});
// A silent connection is closed (a stalled upload too), SSE answers excepted (above).
server.setTimeout(idleTimeoutSeconds(process.env) * 1000, (socket) => socket.destroy());
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
