/** Bun: `bun run platforms/bun.ts` (`npm start`), `bun --hot platforms/bun.ts` while developing. */
import { agent } from "../agent.ts";
import { createApp } from "../app/create-app.ts";
import { listeningMessage, readServeConfig } from "../lib/config.ts";
import { idleTimeoutSeconds, isEventStream, isStalledUpload, withConnectionClose } from "./connections.ts";
import { withDevelopmentPage } from "./dev-page.ts";
import { serverStoreOpeners } from "./server-stores.ts";
import { storeFromEnv } from "../storage/from-env.ts";

const { hostname, port, development } = readServeConfig(process.env);
const store = await storeFromEnv(process.env, serverStoreOpeners);
const app = withDevelopmentPage(createApp({ ...agent, env: process.env, development, store }), development);
const server = Bun.serve({
  hostname,
  port,
  // A silent connection is closed (a stalled upload too); a reply stream may stay quiet while the model thinks,
  // so SSE answers have no idle timeout (the model timeout bounds them).
  idleTimeout: idleTimeoutSeconds(process.env),
  async fetch(request, server) {
    const response = await app.fetch(request, server); // the server is the env Hono's getConnInfo reads
    if (isEventStream(response)) server.timeout(request, 0);
    return isStalledUpload(response) ? withConnectionClose(response) : response;
  },
});
console.log(listeningMessage(`Bun ${Bun.version}`, server.url.href.replace(/\/$/, ""), development));
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.stop().then(() => process.exit(0)));
