/** Deno and Deno Deploy: `deno task start`, `deno task dev` (watch). */
import { agent } from "../agent.ts";
import { createApp } from "../lib/app.ts";
import { listeningMessage, readServeConfig } from "../lib/config.ts";

const env = Deno.env.toObject();
const { hostname, port, development } = readServeConfig(env);
const app = createApp({ ...agent, env, development });
Deno.serve({
  hostname,
  port,
  onListen: ({ hostname, port }) => {
    const host = hostname.includes(":") ? `[${hostname}]` : hostname;
    console.log(listeningMessage(`Deno ${Deno.version.deno}`, `http://${host}:${port}`, development));
  },
}, app.fetch);
