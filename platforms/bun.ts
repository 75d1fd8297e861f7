/** Bun: `bun run platforms/bun.ts` (`npm start`), `bun --hot platforms/bun.ts` while developing. */
import { agent } from "../agent.ts";
import { createApp } from "../lib/app.ts";
import { listeningMessage, readServeConfig } from "../lib/config.ts";
import { withDevelopmentPage } from "./dev-page.ts";
import { serverStoreOpeners } from "./server-stores.ts";
import { storeFromEnv } from "../storage/from-env.ts";

const { hostname, port, development } = readServeConfig(process.env);
const store = await storeFromEnv(process.env, serverStoreOpeners);
const app = withDevelopmentPage(createApp({ ...agent, development, store }), development);
// idleTimeout 0: a reply stream may stay quiet while the model thinks; the model timeout bounds it instead.
const server = Bun.serve({ hostname, port, idleTimeout: 0, fetch: app.fetch });
console.log(listeningMessage(`Bun ${Bun.version}`, server.url.href.replace(/\/$/, ""), development));
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.stop().then(() => process.exit(0)));
