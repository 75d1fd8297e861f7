import type { Context, Hono, MiddlewareHandler } from "hono";
import { runtimeOf } from "../lib/runtime.ts";
import { readBody } from "../lib/body.ts";
import { HttpError } from "../lib/errors.ts";
import { isObject } from "../lib/events.ts";
import { signWebhook } from "../lib/signature.ts";
import { isLoopbackHost } from "../lib/config.ts";
import type { TurnEvent } from "../lib/turn-events.ts";

/** Options of {@link addDevelopmentRoutes}. */
export interface DevelopmentRoutesOptions {
  /** The TCP peer's address of a request, as the local server knows it; `undefined` refuses the request. */
  peerAddress: (c: Context) => string | undefined;
  /** Longest wait of `GET /dev/trace` for a turn to be stored. @default 10000 */
  traceWaitMs?: number;
}

/** A turn's steps as `GET /dev/trace` answers them. */
export interface TurnTrace {
  turnId: string;
  conversationId: string;
  /** The turn is stored and its metrics are the last event. */
  complete: boolean;
  events: TurnEvent[];
}

const MAX_TRACES = 200;
const MAX_CONVERSATIONS = 200;
const decoder = new TextDecoder();

/** An IPv4 or IPv6 loopback address (`127.0.0.0/8`, `::1`, IPv4-mapped `::ffff:127.x.x.x`). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const bare = address.replace(/^\[|\]$/g, "").toLowerCase();
  return /^127(\.\d{1,3}){3}$/.test(bare) || bare === "::1" || bare === "0:0:0:0:0:0:0:1" ||
    /^::ffff:127(\.\d{1,3}){3}$/.test(bare);
}

/** A `Host` header naming this machine (see `isLoopbackHost` in lib/config.ts); an absent one does not. */
export function isLoopbackHostHeader(host: string | undefined): boolean {
  return host !== undefined && isLoopbackHost(host);
}

/**
 * Guards the playground's routes on an app made by `createApp`: 404 unless the app is in development mode, and 403
 * unless the request comes from this machine: its TCP peer is a loopback address AND its `Host` header names a
 * loopback host (so that a web page of another origin cannot reach it through DNS rebinding).
 */
export function developmentOnly(app: Hono, peerAddress: (c: Context) => string | undefined): MiddlewareHandler {
  const runtime = runtimeOf(app);
  if (!runtime) throw new Error("the development playground needs an app made by createApp()");
  return async (c, next) => {
    if ((await runtime(c)).config.mode !== "development") {
      return c.json({ error: `no route for ${c.req.method} ${new URL(c.req.url).pathname}` }, 404);
    }
    if (!isLoopbackAddress(peerAddress(c)) || !isLoopbackHostHeader(c.req.header("host"))) {
      return c.json({ error: "the development playground answers loopback clients only (127.0.0.1, ::1, localhost)" }, 403);
    }
    await next();
  };
}

/** The steps of recent turns, by turn id, and where each conversation's history lives. */
function createTraceBook() {
  const turns = new Map<string, TurnTrace & { done: Promise<void> }>();
  const historyKeys = new Map<string, string>();
  return {
    historyKey: (conversationId: string) => historyKeys.get(conversationId) ?? conversationId,
    get: (turnId: string) => turns.get(turnId),
    start(conversationId: string, turnId: string): (event: TurnEvent) => void {
      let finish!: () => void;
      const trace = { turnId, conversationId, complete: false, events: [] as TurnEvent[], done: new Promise<void>((r) => (finish = r)) };
      turns.delete(turnId);
      turns.set(turnId, trace);
      if (turns.size > MAX_TRACES) turns.delete(turns.keys().next().value!);
      return (event) => {
        trace.events.push(event);
        if (event.step === "history") {
          historyKeys.delete(conversationId);
          historyKeys.set(conversationId, event.historyKey);
          if (historyKeys.size > MAX_CONVERSATIONS) historyKeys.delete(historyKeys.keys().next().value!);
        }
        if (event.step === "metrics") {
          trace.complete = true;
          finish();
        }
      };
    },
  };
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 && value.length <= 200 ? value : undefined;
}

/**
 * The development playground's routes, for loopback clients of a development server only (see {@link developmentOnly}):
 * - `POST /dev/webhook`: signs the JSON webhook body it is given with the development webhook secret and forwards it
 *   in process to `POST /agent`, exactly as Layercode would send it, answering with `/agent`'s own response;
 * - `GET /dev/trace?turn=<turn_id>`: the steps of a turn sent that way (waits until it is stored), with its metrics;
 * - `GET /dev/history?conversation=<id>`: the conversation as stored, what the model sees next turn.
 * They answer 404 when the app is not in development mode; the production entries never mount them.
 */
export function addDevelopmentRoutes<T extends Hono>(app: T, options: DevelopmentRoutesOptions): T {
  const guard = developmentOnly(app, options.peerAddress);
  const runtime = runtimeOf(app)!;
  const book = createTraceBook();
  const waitMs = options.traceWaitMs ?? 10_000;

  app.use("/dev/*", guard);

  app.post("/dev/webhook", async (c) => {
    const rt = await runtime(c);
    const body = await readBody(c.req.raw, rt.config.maxBodyBytes);
    let event: unknown;
    try {
      event = JSON.parse(decoder.decode(body));
    } catch {
      throw new HttpError(400, "the body must be a webhook as JSON, e.g. {\"type\":\"message\",\"text\":\"Hi\",...}");
    }
    if (!isObject(event) || typeof event.type !== "string") throw new HttpError(400, "the webhook needs a \"type\"");
    const signature = await signWebhook(body, rt.config.webhookSecrets[0], Math.floor(rt.now() / 1000));
    const forward = new Request(new URL("/agent", c.req.url), {
      method: "POST",
      headers: { "content-type": "application/json", "layercode-signature": signature },
      body: body as Uint8Array<ArrayBuffer>,
      signal: c.req.raw.signal,
    });
    const conversationId = text(event.conversation_id) ?? text(event.session_id);
    const turnId = text(event.turn_id);
    if ((event.type === "message" || event.type === "session.start") && conversationId && turnId) {
      rt.traces.set(forward, book.start(conversationId, turnId));
    }
    return await app.fetch(forward);
  });

  app.get("/dev/trace", async (c) => {
    const turnId = c.req.query("turn") ?? "";
    const trace = book.get(turnId);
    if (!trace) throw new HttpError(404, `no turn ${JSON.stringify(turnId.slice(0, 80))} was sent through /dev/webhook`);
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([trace.done, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
    const { done: _, ...answer } = trace;
    return c.json(answer satisfies TurnTrace, 200, { "cache-control": "no-store" });
  });

  app.get("/dev/history", async (c) => {
    const rt = await runtime(c);
    const conversationId = c.req.query("conversation");
    if (!conversationId) throw new HttpError(400, "add ?conversation=<conversation_id>");
    const historyKey = book.historyKey(conversationId);
    const messages = await rt.history.load(historyKey);
    return c.json({
      conversationId,
      historyKey,
      messages,
      bounds: { maxMessages: rt.config.historyMaxMessages, maxBytes: rt.config.historyMaxBytes },
    }, 200, { "cache-control": "no-store" });
  });
  return app;
}
