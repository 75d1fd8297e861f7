import type { Context, Hono } from "hono";
import { addDevelopmentRoutes, developmentOnly, type DevelopmentRoutesOptions } from "./dev.ts";
import { PAGE_BODY } from "./page/markup.ts";
import { PAGE_SDK_PATH } from "./page/sdk-path.ts";
import { PAGE_STYLE } from "./page/style.ts";
import { TEXT_SCRIPT } from "./page/text-script.ts";
import { VOICE_SCRIPT } from "./page/voice-script.ts";

export { PAGE_SDK_PATH } from "./page/sdk-path.ts";

/** The whole page, one file for the browser: its style, markup and script live in handlers/page/. */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Agent playground</title>
<link rel="icon" href="data:,">
<style>
${PAGE_STYLE}</style>
</head>
<body data-text="starting" data-status="idle">
${PAGE_BODY}<script type="module">
${TEXT_SCRIPT}${VOICE_SCRIPT}</script>
</body>
</html>
`;

/**
 * `GET /` in development mode: the playground. Text mode talks to this backend offline through `/dev/webhook` and
 * shows each turn's timeline and the stored history; voice mode talks to a Layercode agent through Layercode's
 * browser SDK (served by {@link pageSdkHandler}) and this backend's `/authorize`.
 */
export function pageHandler(c: Context): Response {
  return c.html(PAGE, 200, { "cache-control": "no-store", "x-content-type-options": "nosniff" });
}

/** The page's HTML (inline style and script included), e.g. to measure its weight. */
export function pageHtml(): string {
  return PAGE;
}

/** Layercode's browser SDK for the page: its ES module text and version. */
export interface BrowserSdk {
  version: string;
  source: string;
}

/**
 * `GET /sdk/layercode-js-sdk.js` ({@link PAGE_SDK_PATH}): the browser ES module of `@layercode/js-sdk`, as the local
 * entry loads it from the installed package (read once, on first request), revalidated by its version.
 */
export function pageSdkHandler(load: () => Promise<BrowserSdk>): (c: Context) => Promise<Response> {
  let sdk: Promise<BrowserSdk> | undefined;
  return async (c) => {
    sdk ??= load();
    sdk.catch(() => (sdk = undefined));
    const { source, version } = await sdk;
    const etag = `"layercode-js-sdk-${version}"`;
    const headers = { etag, "cache-control": "no-cache", "x-content-type-options": "nosniff" };
    if (c.req.header("if-none-match") === etag) return c.body(null, 304, headers);
    return c.body(source, 200, { ...headers, "content-type": "text/javascript; charset=utf-8" });
  };
}

/** Options of {@link addDevelopmentPage}. */
export interface DevelopmentPageOptions extends DevelopmentRoutesOptions {
  /** Reads the installed `@layercode/js-sdk` for voice mode. */
  loadSdk: () => Promise<BrowserSdk>;
}

/**
 * Adds the development playground to an app made by `createApp`: `GET /` ({@link pageHandler}), the SDK
 * ({@link pageSdkHandler}) and the `/dev/*` routes (handlers/dev.ts), all for loopback clients of a development app only. Only the local
 * server entries call it, in development mode, with a loader that reads the installed `@layercode/js-sdk`
 * (146 KB gzipped: never part of an edge bundle).
 * @example
 * const app = createApp({ development });
 * if (development) addDevelopmentPage(app, { loadSdk: loadBrowserSdk, peerAddress });
 */
export function addDevelopmentPage<T extends Hono>(app: T, options: DevelopmentPageOptions): T {
  const local = developmentOnly(app, options.peerAddress);
  app.get("/", local, pageHandler);
  app.get(PAGE_SDK_PATH, local, pageSdkHandler(options.loadSdk));
  return addDevelopmentRoutes(app, options);
}
