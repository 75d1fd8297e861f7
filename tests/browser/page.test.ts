// The development page's voice mode (handlers/page.ts) in headless Chromium, driven by playwright-core: opening it
// loads the real @layercode/js-sdk from this backend, the SDK calls the backend's real /authorize, and the page shows the error
// that an unreachable or refusing Layercode API causes. Chromium is Debian's (.ci/chromium.sh installs it).
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { after, before, test } from "node:test";
import { serve } from "@hono/node-server";
import { type Browser, chromium, type Page } from "playwright-core";
import { addDevelopmentPage, PAGE_SDK_PATH } from "../../handlers/page.ts";
import { createApp } from "../../app/create-app.ts";
import { loadBrowserSdk, peerAddress } from "../../platforms/dev-page.ts";
import { type LayercodeApi, startLayercodeApi } from "../support/layercode-api.ts";

const CHROMIUM = "/usr/bin/chromium";
// In CI the browser tests never skip: a missing Chromium fails them (.ci/run installs it first).
const skip = !existsSync(CHROMIUM) && !process.env.CI ? `no ${CHROMIUM}: run .ci/chromium.sh (as root)` : false;

type Served = { url: string; close(): Promise<void> };

/** The development app with the page, as a local entry adds it, on a real HTTP server; /authorize goes to `layercodeApiUrl`. */
async function serveDevelopmentApp(layercodeApiUrl: string): Promise<Served> {
  const app = addDevelopmentPage(createApp({
    development: true,
    env: { LAYERCODE_API_KEY: "test-layercode-key", LAYERCODE_API_URL: layercodeApiUrl, LOG_LEVEL: "silent" },
  }), { loadSdk: loadBrowserSdk, peerAddress });
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A loopback Layercode API that cannot be reached: it accepts each connection and drops it at once. It keeps its port
 * for the whole run (a port merely closed again could be taken by another process meanwhile).
 */
async function unreachableApi(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let layercode: LayercodeApi;
let refusing: Served;
let unreachable: Served;
let deadApi: { url: string; close(): Promise<void> };
let browser: Browser | undefined;

before(async () => {
  layercode = await startLayercodeApi();
  refusing = await serveDevelopmentApp(layercode.url);
  deadApi = await unreachableApi();
  unreachable = await serveDevelopmentApp(deadApi.url);
});
after(async () => {
  await browser?.close();
  await refusing?.close();
  await unreachable?.close();
  await deadApi?.close();
  await layercode?.close();
});

async function launch(): Promise<Browser> {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run .ci/chromium.sh`);
  browser ??= await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return browser;
}

/** Opens the page, collecting uncaught exceptions and what the SDK sent to /authorize. */
async function open(url: string) {
  const page: Page = await (await launch()).newPage();
  const uncaught: string[] = [];
  const authorizeBodies: Record<string, unknown>[] = [];
  page.on("pageerror", (error) => uncaught.push(error.message));
  page.on("request", (request) => {
    if (new URL(request.url()).pathname === "/authorize") authorizeBodies.push(JSON.parse(request.postData() ?? "{}"));
  });
  await page.goto(`${url}/`);
  assert.equal(await page.locator("#voice").getAttribute("open"), null, "voice mode starts closed");
  await page.click("#voice > summary");
  await page.waitForSelector('body[data-status="disconnected"]', { timeout: 15_000 });
  return { page, uncaught, authorizeBodies };
}

async function connect(page: Page, agentId: string): Promise<string> {
  await page.fill("#agent", agentId);
  await page.click("#start");
  const alert = await page.waitForSelector("#error:not([hidden])", { state: "visible", timeout: 15_000 });
  return (await alert.textContent()) ?? "";
}

test("the page loads the Layercode SDK, and shows cleanly the error of an unreachable Layercode API", { skip }, async () => {
  const { page, uncaught, authorizeBodies } = await open(unreachable.url);
  try {
    assert.equal(await page.title(), "Agent playground");
    assert.equal(await page.isEnabled("#start"), true);
    const shown = await connect(page, "ag_unreachable");
    assert.equal(
      shown,
      "Could not talk to the agent: could not reach the Layercode API (HTTP 502 from /authorize)",
    );
    assert.equal(await page.textContent("#status"), "error");
    assert.equal(await page.isEnabled("#start"), true, "the user can try again");
    assert.equal(authorizeBodies.length, 1);
    assert.equal(authorizeBodies[0].agent_id, "ag_unreachable");
    // The SDK's own sdk_version field (it lags the package version: 2.8.10 sends "2.7.0") shows it made the call.
    assert.match(String(authorizeBodies[0].sdk_version), /^\d+\.\d+\.\d+$/);
    assert.deepEqual(uncaught, []);
  } finally {
    await page.close();
  }
});

test("the page shows the Layercode API's own refusal, passed through /authorize", { skip }, async () => {
  layercode.answer = { status: 402, body: { error: "insufficient balance" } };
  const { page, uncaught } = await open(refusing.url);
  try {
    const shown = await connect(page, "ag_refused");
    assert.equal(shown, "Could not talk to the agent: insufficient balance (HTTP 402 from /authorize)");
    assert.equal(layercode.requests.at(-1)?.body.agent_id, "ag_refused");
    assert.equal(layercode.requests.at(-1)?.authorization, "Bearer test-layercode-key");
    assert.deepEqual(uncaught, []);
  } finally {
    await page.close();
  }
});

test("pageHandler() serves the page as HTML that loads the SDK from this backend, never cached", async () => {
  const response = await fetch(`${refusing.url}/`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
  assert.equal(response.headers.get("cache-control"), "no-store");
  const html = await response.text();
  assert.ok(html.includes(`import(".${PAGE_SDK_PATH}")`));
  assert.ok(html.includes('authorizeSessionEndpoint: "./authorize"'));
});

test("pageSdkHandler() serves the installed SDK as JavaScript, revalidated by its version", async () => {
  const response = await fetch(`${refusing.url}${PAGE_SDK_PATH}`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/javascript/);
  assert.match(await response.text(), /export \{ LayercodeClient as default/);
  const etag = response.headers.get("etag")!;
  assert.ok(etag.includes((await loadBrowserSdk()).version));
  const again = await fetch(`${refusing.url}${PAGE_SDK_PATH}`, { headers: { "if-none-match": etag } });
  assert.equal(again.status, 304);
  await again.body?.cancel();
});

