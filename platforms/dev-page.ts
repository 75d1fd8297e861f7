/** The development playground for the local entries (Bun, Deno, Node): `GET /`, `/dev/*`, and the browser SDK. */
import { readFile } from "node:fs/promises";
import type { Context, Hono } from "hono";
import { addDevelopmentPage, type BrowserSdk } from "../handlers/page.ts";

const SDK = new URL("../node_modules/@layercode/js-sdk/", import.meta.url);

/** Reads the installed `@layercode/js-sdk`'s browser ES module (without its source-map comment). */
export async function loadBrowserSdk(): Promise<BrowserSdk> {
  const { version } = JSON.parse(await readFile(new URL("package.json", SDK), "utf8"));
  const source = (await readFile(new URL("dist/layercode-js-sdk.esm.js", SDK), "utf8"))
    .replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n");
  return { version, source };
}

/**
 * The TCP peer's address of a request, from what each local server hands Hono as `c.env`: @hono/node-server's
 * `{ incoming }`, `Bun.serve`'s server (`requestIP`), `Deno.serve`'s info (`remoteAddr`). Unknown: `undefined`.
 */
export function peerAddress(c: Context): string | undefined {
  const env = c.env as {
    incoming?: { socket?: { remoteAddress?: string } };
    requestIP?: (request: Request) => { address: string } | null;
    remoteAddr?: { hostname?: string };
  } | undefined;
  if (env?.incoming) return env.incoming.socket?.remoteAddress;
  if (typeof env?.requestIP === "function") return env.requestIP(c.req.raw)?.address;
  return env?.remoteAddr?.hostname;
}

/** Serves the playground in development mode, to loopback clients only; does nothing otherwise. */
export function withDevelopmentPage<T extends Hono>(app: T, development: boolean): T {
  return development ? addDevelopmentPage(app, { loadSdk: loadBrowserSdk, peerAddress }) : app;
}
