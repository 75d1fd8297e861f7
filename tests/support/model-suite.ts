/**
 * One suite for every model provider, as tests/support/store-suite.ts is for stores: each provider runs inside the
 * real app (signed webhooks in, SSE frames out) against a fake upstream that speaks its own wire format
 * (tests/support/model-fake.ts), and must behave the same: deltas in order and unbuffered, history on the next turn,
 * tools round trip, usage in the turn's metrics, abort closes the upstream request, and every upstream failure ends
 * with the apology and `response.end` without the key or the upstream's error text in a log or a reply.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createApp } from "../../app/create-app.ts";
import type { Logger } from "../../lib/log.ts";
import { readFrames, type ResponseFrame } from "../../client/mod.ts";
import type { TurnMetrics } from "../../lib/turn-events.ts";
import type { ModelProvider, Tool } from "../../llm/types.ts";
import { FAKE_USAGE, type ModelFake, type ModelScript, UPSTREAM_ERROR_TEXT, words } from "./model-fake.ts";
import { guardUnhandledRejections } from "./unhandled.ts";
import { frames, messageBody, readUntilFirstFrame, SECRET, spoken, uid, webhook } from "./webhooks.ts";

/** A provider under test, with its fake upstream. */
export interface ModelSuiteTarget {
  /** Shown in every test name. */
  name: string;
  /** Starts the fake upstream and creates the provider talking to it. */
  start(): Promise<{ fake: ModelFake; model: ModelProvider }>;
  /** The secrets the provider holds (its API key): never in a log or a reply. */
  secrets?: string[];
  /** The provider's `name` and `model`, as `/health` and the turn's log line show them. */
  expected: { provider: string; model: string };
}

const URL = "http://agent.test/agent";
const APOLOGY = "Sorry, could you say that again?";

const lookupOrder: Tool<{ orderId: string }> & { calls: unknown[]; signals: AbortSignal[] } = {
  name: "lookup_order",
  description: "Status of an order by its id",
  parameters: { type: "object", properties: { orderId: { type: "string" } }, required: ["orderId"] },
  filler: "One moment.",
  calls: [],
  signals: [],
  execute(args, _context, { signal }) {
    lookupOrder.calls.push(args);
    lookupOrder.signals.push(signal);
    return { orderId: args.orderId, status: "shipped" };
  },
};

/** `promise`, or a rejection after `ms`: no wait of the suite is unbounded. */
function within<T>(promise: Promise<T>, ms = 5000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Registers the provider cases for one target. */
export function modelSuite(target: ModelSuiteTarget): void {
  const name = (what: string) => `[${target.name}] ${what}`;
  const guard = guardUnhandledRejections();
  let fake: ModelFake;
  let model: ModelProvider;
  before(async () => ({ fake, model } = await target.start()));
  after(async () => await fake?.close());

  /** An app around the provider, its log lines and turn metrics collected; console output captured too. */
  function setup(modelTimeoutMs = 3000) {
    const lines: string[] = [];
    const metrics: TurnMetrics[] = [];
    const write = (level: string) => (message: string, fields?: Record<string, unknown>) =>
      void lines.push(JSON.stringify({ level, message, ...fields }));
    const logger: Logger = { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
    const app = createApp({
      env: { LAYERCODE_WEBHOOK_SECRET: SECRET },
      config: { modelTimeoutMs, apologyMessage: APOLOGY },
      model,
      tools: [lookupOrder],
      logger,
      hooks: { onTurn: (m) => void metrics.push(m) },
      waitUntil: guard.waitUntil,
    });
    const conversation = uid("conv");
    const send = async (text: string, signal?: AbortSignal) => {
      const body = messageBody(conversation, text);
      return { response: await app.fetch(await webhook(URL, body, { signal })), turnId: body.turn_id };
    };
    const turn = async (text: string) => {
      const { response, turnId } = await send(text);
      const all = await frames(response);
      await guard.settled();
      return { all, turnId };
    };
    return { app, lines, metrics, send, turn };
  }

  /** Console output while `work` runs (a provider or SDK may print on its own). */
  async function capturingConsole<T>(work: () => Promise<T>): Promise<{ result: T; printed: string }> {
    const printed: string[] = [];
    const saved = { log: console.log, warn: console.warn, error: console.error, info: console.info };
    const capture = (...args: unknown[]) =>
      void printed.push(
        args.map((
          a,
        ) => (a instanceof Error ? `${a.message} ${a.stack}` : typeof a === "string" ? a : JSON.stringify(a))).join(
          " ",
        ),
      );
    Object.assign(console, { log: capture, warn: capture, error: capture, info: capture });
    try {
      return { result: await work(), printed: printed.join("\n") };
    } finally {
      Object.assign(console, saved);
    }
  }

  function assertEnds(all: ResponseFrame[], turnId: string) {
    assert.deepEqual(all.at(-1), { type: "response.end", turn_id: turnId });
    assert.equal(all.filter((f) => f.type === "response.end").length, 1);
  }

  test(name("streams the deltas in order, the first before the model has sent the rest"), async () => {
    const deltas = ["The ", "quick ", "brown ", "fox."];
    fake.respond = () => ({ deltas, delayMs: 120 });
    const { send } = setup();
    const before = fake.requests.length;
    const { response, turnId } = await send("Say something");
    let upstreamDone = false;
    const watcher = (async () => {
      for (const deadline = Date.now() + 5000; fake.requests.length === before;) {
        if (Date.now() > deadline) throw new Error("the model was never asked");
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await within(fake.requests[before].closed);
      upstreamDone = true;
    })();
    const received: ResponseFrame[] = [];
    let firstBeforeDone: boolean | undefined;
    for await (const frame of readFrames(response.body!)) {
      firstBeforeDone ??= !upstreamDone;
      received.push(frame);
    }
    await watcher;
    assert.equal(firstBeforeDone, true, "the first frame arrived while the model was still sending");
    assert.deepEqual(received, [
      ...deltas.map((content) => ({ type: "response.tts", content, turn_id: turnId })),
      { type: "response.end", turn_id: turnId },
    ]);
  });

  test(name("sends the system prompt and, on the second turn, the conversation's history"), async () => {
    fake.respond = (request) => ({ deltas: words(`Reply ${request.turns.length}`) });
    const { turn } = setup();
    await turn("My name is Ada.");
    await turn("What is my name?");
    const request = fake.requests.at(-1)!;
    assert.match(request.system, /voice assistant/);
    assert.deepEqual(request.turns, [
      ["user", "My name is Ada."],
      ["assistant", "Reply 1"],
      ["user", "What is my name?"],
    ]);
    assert.deepEqual(request.toolNames, ["lookup_order"]);
  });

  test(name("runs a tool the model calls, speaks its filler, feeds the result back and continues"), async () => {
    lookupOrder.calls.length = 0;
    lookupOrder.signals.length = 0;
    fake.respond = (request) =>
      request.toolResults.length === 0
        ? { functionCalls: [{ name: "lookup_order", args: { orderId: "A-17" } }] }
        : { deltas: words("Your order has shipped.") };
    const { turn } = setup();
    const before = fake.requests.length;
    const { all, turnId } = await turn("Where is my order A-17?");
    assert.deepEqual(lookupOrder.calls, [{ orderId: "A-17" }], "the arguments, assembled, reached the tool");
    assert.ok(
      lookupOrder.signals[0] instanceof AbortSignal && !lookupOrder.signals[0].aborted,
      "the tool got the turn's signal",
    );
    const result = { orderId: "A-17", status: "shipped" };
    assert.deepEqual(all, [
      { type: "response.data", content: { isThinking: true, tool: "lookup_order" }, turn_id: turnId },
      { type: "response.tts", content: "One moment. ", turn_id: turnId },
      { type: "response.data", content: { isThinking: false, tool: "lookup_order", result }, turn_id: turnId },
      ...words("Your order has shipped.").map((content) => ({ type: "response.tts", content, turn_id: turnId })),
      { type: "response.end", turn_id: turnId },
    ]);
    assert.equal(fake.requests.length, before + 2);
    assert.deepEqual(fake.requests.at(-1)!.toolResults, [{ name: "lookup_order", response: { result } }]);
  });

  test(
    name("a model that keeps calling tools gets none after 4 rounds, and the turn ends with its words"),
    async () => {
      fake.respond = (request) =>
        request.toolNames.length
          ? { functionCalls: [{ name: "lookup_order", args: { orderId: "B-2" } }] }
          : { deltas: ["Done."] };
      const { turn } = setup();
      const before = fake.requests.length;
      const { all, turnId } = await turn("Loop forever");
      const sent = fake.requests.slice(before);
      assert.deepEqual(sent.map((r) => r.toolNames.length > 0), [true, true, true, true, false]);
      assert.equal(sent.at(-1)!.toolResults.length, 4, "the last request carries the four results");
      assert.equal(spoken(all), "One moment. ".repeat(4) + "Done.");
      assertEnds(all, turnId);
    },
  );

  test(name("reports the tokens used, the provider and the model in the turn's metrics and log line"), async () => {
    fake.respond = () => ({ deltas: words("Short answer.") });
    const { turn, metrics, lines } = setup();
    await turn("Be brief");
    const m = metrics.at(-1)!;
    assert.equal(m.inputTokens, FAKE_USAGE.inputTokens);
    assert.equal(m.outputTokens, FAKE_USAGE.outputTokens);
    assert.equal(m.provider, target.expected.provider);
    assert.equal(m.model, target.expected.model);
    const line = JSON.parse(lines.find((l) => JSON.parse(l).message === "turn")!);
    assert.equal(line.provider, target.expected.provider);
    assert.equal(line.model, target.expected.model);
    const health = await (await setup().app.fetch(new Request("http://agent.test/health"))).json();
    assert.equal(health.model, `${target.expected.provider}/${target.expected.model}`);
  });

  test(name("a caller who barges in closes the upstream request"), async () => {
    fake.respond = () => ({ deltas: words("a b c d e f g h i j k l m n o p"), delayMs: 100 });
    const { send, metrics } = setup();
    const controller = new AbortController();
    const { response } = await send("Talk", controller.signal);
    const reader = response.body!.getReader();
    await readUntilFirstFrame(reader); // past the stream's opening comment: the model has started
    const request = fake.requests.at(-1)!;
    controller.abort();
    await reader.cancel().catch(() => {});
    assert.equal(await within(request.closed), true, "the upstream request closed before its end");
    await guard.settled();
    assert.equal(metrics.at(-1)?.interrupted, true);
  });

  const failures: [string, ModelScript, number?][] = [
    ["an upstream 400", { errorStatus: 400 }],
    ["an upstream 401", { errorStatus: 401 }],
    ["an upstream 500", { errorStatus: 500 }],
    ["an upstream 503", { errorStatus: 503 }],
    ["a stream cut mid-way", { deltas: ["One ", "two ", "three."], cutAfter: 1 }],
    ["an event that is not JSON", { deltas: ["One ", "two."], malformed: true }],
    ["a hung upstream (the turn's timeout)", { hang: true }, 400],
  ];
  for (const [what, script, timeoutMs] of failures) {
    test(
      name(`${what} ends with the apology and response.end, no key or upstream text in logs or replies`),
      async () => {
        fake.respond = () => script;
        const { turn, lines } = setup(timeoutMs);
        const { result: { all, turnId }, printed } = await capturingConsole(() => turn("Hello?"));
        assertEnds(all, turnId);
        const said = spoken(all);
        assert.ok(said.endsWith(APOLOGY), `the apology ends the turn: ${JSON.stringify(said)}`);
        if (script.cutAfter || script.malformed) {
          assert.ok(said.startsWith("One "), "what came before the fault is spoken");
        }
        assert.ok(
          lines.some((l) => /model (failed|timed out)/.test(l)),
          "the failure is logged",
        );
        const everything = [JSON.stringify(all), ...lines, printed].join("\n");
        for (const secret of [UPSTREAM_ERROR_TEXT, ...(target.secrets ?? [])]) {
          assert.ok(!everything.includes(secret), `"${secret}" appeared in a log or a reply`);
        }
        if (script.hang) {
          assert.equal(await within(fake.requests.at(-1)!.closed), true, "the hung request was released");
        }
      },
    );
  }
}
