/** The development page for the local entries (Bun, Deno, Node): Layercode's browser SDK read from node_modules. */
import { readFile } from "node:fs/promises";
import type { Hono } from "hono";
import { addDevelopmentPage, type BrowserSdk } from "../handlers/page.ts";

const SDK = new URL("../node_modules/@layercode/js-sdk/", import.meta.url);

/** Reads the installed `@layercode/js-sdk`'s browser ES module (without its source-map comment). */
export async function loadBrowserSdk(): Promise<BrowserSdk> {
  const { version } = JSON.parse(await readFile(new URL("package.json", SDK), "utf8"));
  const source = (await readFile(new URL("dist/layercode-js-sdk.esm.js", SDK), "utf8"))
    .replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n");
  return { version, source };
}

/** Serves `GET /` (the page) and its SDK in development mode; does nothing otherwise. */
export function withDevelopmentPage<T extends Hono>(app: T, development: boolean): T {
  return development ? addDevelopmentPage(app, loadBrowserSdk) : app;
}
