// The playground's text mode (handlers/page.ts, handlers/dev.ts) in headless Chromium, driven by playwright-core: the
// page plays Layercode through /dev/webhook, which signs each webhook and hands it to the real /agent; the offline
// model answers slowly (80 ms a word) so that a reply can be watched and cut. Screenshots land in
// tests/.tmp/screenshots/ for people to look at; nothing compares them.
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { serve } from "@hono/node-server";
import { type Browser, chromium, type Page } from "playwright-core";
import { addDevelopmentPage, PAGE_SDK_PATH } from "../../handlers/page.ts";
import { createApp } from "../../app/create-app.ts";
import { createOfflineModel } from "../../llm/offline.ts";
import { loadBrowserSdk, peerAddress } from "../../platforms/dev-page.ts";
import { currentTime } from "../../tools/current-time.ts";
import { playgroundModel } from "../support/playground.ts";
import { ROOT } from "../support/server-process.ts";

const CHROMIUM = "/usr/bin/chromium";
// In CI the browser tests never skip: a missing Chromium fails them (.ci/run installs it first).
const skip = !existsSync(CHROMIUM) && !process.env.CI ? `no ${CHROMIUM}: run .ci/chromium.sh (as root)` : false;
const SHOTS = `${ROOT}tests/.tmp/screenshots`;
const WAIT = { timeout: 20_000 };

/** The offline agent's whole reply to `text` on the conversation's `turn`-th user message. */
const fullReply = (text: string, turn: number) =>
  `You said: ${text}. This is turn ${turn} with the offline development agent; set GOOGLE_GENERATIVE_AI_API_KEY to talk to Gemini.`;

let url: string;
let close: () => Promise<void>;
let browser: Browser | undefined;

before(async () => {
  const app = addDevelopmentPage(
    createApp({
      development: true,
      model: playgroundModel(createOfflineModel({ delayMs: 80 })),
      tools: [currentTime],
      env: { LOG_LEVEL: "silent" },
    }),
    { loadSdk: loadBrowserSdk, peerAddress },
  );
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  mkdirSync(SHOTS, { recursive: true });
});
after(async () => {
  await browser?.close();
  await close?.();
});

async function open(): Promise<{ page: Page; uncaught: string[]; sent: Record<string, unknown>[]; paths: string[] }> {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run .ci/chromium.sh`);
  browser ??= await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-sync"],
  });
  const page = await browser.newPage({ viewport: { width: 1180, height: 860 } });
  const uncaught: string[] = [];
  const sent: Record<string, unknown>[] = [];
  const paths: string[] = [];
  page.on("pageerror", (error) => uncaught.push(error.message));
  page.on("request", (request) => {
    paths.push(new URL(request.url()).pathname);
    if (new URL(request.url()).pathname === "/dev/webhook") sent.push(JSON.parse(request.postData() ?? "{}"));
  });
  await page.goto(`${url}/`);
  // The welcome (session.start) is streamed and its timeline shown before anything else.
  await page.waitForSelector("li.agent[data-state=done] .timeline[data-complete=true]", WAIT);
  return { page, uncaught, sent, paths };
}

const timelines = (page: Page) => page.locator(".timeline[data-complete=true]").count();
const agentTexts = (page: Page) => page.locator("li.agent .text").allTextContents();
const stored = (page: Page) =>
  page.locator("#history li:not(.empty)").evaluateAll((rows) =>
    rows.map((row) => ({ role: row.className, text: row.querySelector(".text")?.textContent ?? "" }))
  );

/** Waits until `count` replies have their timeline (welcome included). */
async function timelinesAtLeast(page: Page, count: number) {
  await page.waitForFunction((n) => document.querySelectorAll(".timeline[data-complete=true]").length >= n, count, WAIT);
}

test("the playground streams two replies word by word, each with its timeline, and shows the history as stored", { skip }, async () => {
  const { page, uncaught, sent, paths } = await open();
  try {
    assert.equal(await page.title(), "Agent playground");
    assert.equal((await agentTexts(page))[0], "Hi there! How can I help you today?");
    assert.equal(sent[0].type, "session.start");
    // The welcome alone is stored already.
    await page.waitForFunction(() => document.querySelectorAll("#history li:not(.empty)").length === 1, undefined, WAIT);
    assert.deepEqual(await stored(page), [{ role: "assistant", text: "Hi there! How can I help you today?" }]);

    await page.fill("#message", "Hello there");
    await page.press("#message", "Enter");
    // Word by word: the reply is seen partly written while it streams.
    const partial = await page.waitForFunction(() => {
      const reply = document.querySelectorAll("li.agent")[1];
      const text = reply?.querySelector(".text")?.textContent ?? "";
      return reply?.getAttribute("data-state") === "streaming" && text.split(" ").length >= 3 && !text.endsWith("Gemini.") && text;
    }, undefined, WAIT);
    assert.ok(fullReply("Hello there", 1).startsWith(String(await partial.jsonValue())));
    await page.screenshot({ path: `${SHOTS}/playground-streaming.png` });
    await timelinesAtLeast(page, 2);

    await page.fill("#message", "And a second one");
    await page.press("#message", "Enter");
    await timelinesAtLeast(page, 3);
    assert.deepEqual((await agentTexts(page)).slice(1), [fullReply("Hello there", 1), fullReply("And a second one", 2)]);

    // Each reply's timeline: the summary's figures and the steps of the turn, from the backend's trace.
    const summaries = await page.locator("li.agent .timeline .summary").allTextContents();
    assert.equal(summaries.length, 3);
    for (const summary of summaries.slice(1)) {
      assert.match(summary, /^first frame [\d.]+ ms · total [\d.]+ ms · \d+ frames · no token counts · store 1 read, 2 writes$/);
    }
    const steps = await page.locator("li.agent").nth(2).locator(".steps li").evaluateAll((rows) =>
      rows.map((row) => row.getAttribute("data-step"))
    );
    assert.deepEqual(steps.slice(0, 5), ["webhook received", "history read", "model asked", "first token", "frame"]);
    assert.deepEqual(steps.slice(-2), ["end", "reply stored"]);

    // The panel shows what the model sees next turn: the welcome, then both exchanges.
    await page.waitForFunction(() => document.querySelectorAll("#history li").length === 5, undefined, WAIT);
    assert.deepEqual(await stored(page), [
      { role: "assistant", text: "Hi there! How can I help you today?" },
      { role: "user", text: "Hello there" },
      { role: "assistant", text: fullReply("Hello there", 1) },
      { role: "user", text: "And a second one" },
      { role: "assistant", text: fullReply("And a second one", 2) },
    ]);
    const messages = sent.filter((body) => body.type === "message");
    assert.equal(messages.length, 2);
    assert.equal(messages[0].conversation_id, sent[0].conversation_id);
    assert.equal(messages[1].interruption_context, undefined);
    await page.screenshot({ path: `${SHOTS}/playground-two-turns.png`, fullPage: true });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.setViewportSize({ width: 420, height: 900 });
    await page.screenshot({ path: `${SHOTS}/playground-narrow-dark.png` });
    // Text mode never loads the voice SDK (146 KB gzipped): only opening voice mode does.
    assert.equal(paths.includes(PAGE_SDK_PATH), false, paths.join(", "));
    assert.deepEqual(uncaught, []);
  } finally {
    await page.close();
  }
});

test("Stop cuts a slow reply: the history panel shows the cut reply, then what was shown once the next turn says so", { skip }, async () => {
  const { page, uncaught, sent } = await open();
  try {
    await page.fill("#message", "Tell me a long story");
    await page.press("#message", "Enter");
    await page.waitForFunction(() => {
      const text = document.querySelectorAll("li.agent .text")[1]?.textContent ?? "";
      return text.split(" ").length >= 3;
    }, undefined, WAIT);
    await page.click("#interrupt");
    await page.waitForSelector("li.agent[data-state=interrupted]", WAIT);
    await timelinesAtLeast(page, 2);
    const shown = (await agentTexts(page))[1];
    const full = fullReply("Tell me a long story", 1);
    assert.ok(full.startsWith(shown) && shown.length < full.length, `shown: ${shown}`);
    assert.match(await page.locator("li.agent .summary").nth(1).textContent() ?? "", /· interrupted$/);

    // Stored now: what the model had generated when the stream was cancelled, cut short of the whole reply.
    await page.waitForFunction(() => document.querySelectorAll("#history li").length === 3, undefined, WAIT);
    const cut = (await stored(page))[2];
    assert.equal(cut.role, "assistant");
    assert.ok(full.startsWith(cut.text) && cut.text.length < full.length && cut.text.length >= shown.length, `stored: ${cut.text}`);
    await page.screenshot({ path: `${SHOTS}/playground-stopped.png`, fullPage: true });

    // The next message tells what was heard: the stored reply becomes exactly the words shown.
    await page.fill("#message", "Sorry, go on");
    await page.press("#message", "Enter");
    await timelinesAtLeast(page, 3);
    const next = sent.filter((body) => body.type === "message")[1];
    assert.deepEqual(next.interruption_context, {
      previous_turn_interrupted: true,
      words_heard: shown.trim().split(/\s+/).length,
      text_heard: shown,
      assistant_turn_id: sent.filter((body) => body.type === "message")[0].turn_id,
    });
    await page.waitForFunction(() => document.querySelectorAll("#history li").length === 5, undefined, WAIT);
    assert.deepEqual((await stored(page)).slice(1, 3), [
      { role: "user", text: "Tell me a long story" },
      { role: "assistant", text: shown },
    ]);

    // Typing over a reply interrupts it as well, as speaking over it does in a call.
    await page.fill("#message", "One more");
    await page.press("#message", "Enter");
    await page.waitForFunction(() => (document.querySelectorAll("li.agent .text")[3]?.textContent ?? "").length > 0, undefined, WAIT);
    await page.type("#message", "W");
    await page.waitForFunction(() => document.querySelectorAll("li.agent")[3]?.getAttribute("data-state") === "interrupted", undefined, WAIT);
    await page.press("#message", "Enter");
    await timelinesAtLeast(page, 5);
    const typedOver = (await agentTexts(page))[3];
    const last = sent.filter((body) => body.type === "message").at(-1)!;
    assert.equal(last.text, "W");
    assert.equal((last.interruption_context as { text_heard: string }).text_heard, typedOver);
    assert.ok(typedOver.length > 0 && !typedOver.endsWith("Gemini."), typedOver);
    assert.deepEqual(uncaught, []);
  } finally {
    await page.close();
  }
});

test("the playground works from the keyboard alone: send, stop, read a timeline's steps, data event, hang up", { skip }, async () => {
  const { page, uncaught, sent } = await open();
  const focused = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName.toLowerCase());
  const tabTo = async (id: string) => {
    for (let i = 0; i < 20 && (await focused()) !== id; i++) await page.keyboard.press("Tab");
    assert.equal(await focused(), id, `Tab never reached #${id}`);
  };
  try {
    await tabTo("message");
    await page.keyboard.type("Keyboard only");
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => (document.querySelectorAll("li.agent .text")[1]?.textContent ?? "").split(" ").length >= 3, undefined, WAIT);
    await page.keyboard.press("Escape");
    await page.waitForSelector("li.agent[data-state=interrupted]", WAIT);
    await timelinesAtLeast(page, 2);

    // A timeline's steps open from the keyboard (their summary is focusable).
    await page.keyboard.press("Shift+Tab");
    assert.equal(await focused(), "summary");
    await page.keyboard.press("Enter");
    assert.equal(await page.locator("li.agent").nth(1).locator("details").getAttribute("open"), "");

    await tabTo("message");
    await page.keyboard.type('/data {"clicked":"yes"}');
    await page.keyboard.press("Enter");
    await page.waitForSelector('li.event:has-text("{\\"received\\":true}")', WAIT);
    assert.deepEqual(sent.find((body) => body.type === "data")?.data, { clicked: "yes" });

    await tabTo("call");
    await page.keyboard.press("Enter");
    await page.waitForSelector('li.event:has-text("Call ended")', WAIT);
    const end = sent.find((body) => body.type === "session.end")!;
    assert.deepEqual((end.transcript as { role: string }[]).map((line) => line.role), ["assistant", "user", "assistant"]);
    assert.equal(await page.isDisabled("#message"), true);
    assert.equal(await page.textContent("#call"), "Call again");
    await page.screenshot({ path: `${SHOTS}/playground-keyboard.png`, fullPage: true });
    assert.deepEqual(uncaught, []);
  } finally {
    await page.close();
  }
});

test("a tool call shows in the timeline with its filler and its result", { skip }, async () => {
  const { page, uncaught } = await open();
  try {
    await page.fill("#message", "what time is it");
    await page.press("#message", "Enter");
    await timelinesAtLeast(page, 2);
    await page.locator("li.agent").nth(1).locator("details summary").click();
    const steps = await page.locator("li.agent").nth(1).locator(".steps li").allTextContents();
    const call = steps.find((s) => s.includes("tool call:"));
    assert.match(call ?? "", /tool call: get_current_time \{"timezone":"UTC"\}, filler "Let me check\."/);
    assert.ok(steps.some((s) => /tool result: get_current_time \{"timezone":"UTC","now":"[^"]+"\}/.test(s)), steps.join("\n"));
    assert.match((await agentTexts(page))[1], /^Let me check\. It is /);
    await page.screenshot({ path: `${SHOTS}/playground-tool.png`, fullPage: true });
    assert.deepEqual(uncaught, []);
  } finally {
    await page.close();
  }
});

test("a failing model shows the apology, its error and its tokens in the timeline", { skip }, async () => {
  const { page, uncaught } = await open();
  try {
    await page.fill("#message", "please fail now");
    await page.press("#message", "Enter");
    await timelinesAtLeast(page, 2);
    assert.equal((await agentTexts(page))[1], "Well Sorry, I ran into a problem. Could you say that again?");
    assert.match(
      await page.locator("li.agent .summary").nth(1).textContent() ?? "",
      /· tokens 12 in \/ 1 out · store 1 read, 2 writes · error TypeError$/,
    );
    await page.locator("li.agent").nth(1).locator("details summary").click();
    assert.ok((await page.locator("li.agent").nth(1).locator(".steps li").allTextContents()).some((s) => s.endsWith("error: TypeError")));
    assert.equal(await page.locator("li.agent").nth(1).locator(".tick.error").count(), 1);
    assert.deepEqual(uncaught, []);
  } finally {
    await page.close();
  }
});
