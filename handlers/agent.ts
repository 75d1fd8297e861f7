import type { Context } from "hono";
import type { AgentProfile, AgentRuntime, HookContext, SessionSummary } from "../lib/types.ts";
import { readBody } from "../lib/body.ts";
import { HttpError } from "../lib/errors.ts";
import { type EventBase, parseEvent } from "../lib/events.ts";
import { historyKeyOf, type TurnState } from "../lib/history.ts";
import { errorFields } from "../lib/log.ts";
import { replayAnswer } from "../lib/replay.ts";
import { verifySignature } from "../lib/signature.ts";
import { encodeFrame, SSE_HEADERS } from "../lib/sse.ts";
import { renderTemplate } from "../lib/template.ts";
import { streamTurn } from "../lib/turn.ts";
import type { TurnContext } from "../llm/types.ts";

function turnContext(event: EventBase & { turnId?: string }, headers: Headers, names: string[]): TurnContext {
  const selected: Record<string, string> = {};
  for (const name of names) {
    const value = headers.get(name);
    if (value !== null) selected[name] = value;
  }
  return {
    conversationId: event.conversationId,
    turnId: event.turnId ?? "",
    metadata: event.customMetadata ?? {},
    fromPhoneNumber: event.fromPhoneNumber,
    toPhoneNumber: event.toPhoneNumber,
    headers: selected,
  };
}

/** What templates in prompts and welcomes can read: `{{metadata.x}}`, `{{phone.from}}`, `{{headers.x}}`. */
function templateData(context: TurnContext): Record<string, unknown> {
  return {
    metadata: context.metadata,
    phone: { from: context.fromPhoneNumber, to: context.toPhoneNumber },
    headers: context.headers,
    conversation: { id: context.conversationId },
  };
}

/** What a prompt or welcome hook returned, which must be text. */
function hookText(value: unknown, step: string): string {
  if (typeof value !== "string") throw new TypeError(`the ${step} returned ${typeof value}, not a string`);
  return value;
}

/**
 * A turn that user code (`resolveAgent`, a `systemPrompt` or `welcome` hook) failed to prepare: the apology, then
 * `response.end`, as after a model failure. Nothing is stored: without the agent, the history's key is unknown.
 */
function apologyTurn(turnId: string, apology: string): Response {
  const frames = [
    encodeFrame({ type: "response.tts", content: apology, turn_id: turnId }),
    encodeFrame({ type: "response.end", turn_id: turnId }),
  ];
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const frame of frames) controller.enqueue(frame);
      controller.close();
    },
  });
  return new Response(body, { headers: SSE_HEADERS });
}

/**
 * `POST /agent`: the Layercode webhook. The signature is verified over the raw body before anything else runs;
 * `message` and `session.start` are answered with an SSE stream, the other events with JSON.
 */
export function agentHandler(runtime: (c: Context) => Promise<AgentRuntime>) {
  return async (c: Context): Promise<Response> => {
    const rt = await runtime(c);
    const startedAt = rt.now();
    const { config, hooks, history, log } = rt;
    const type = c.req.header("content-type");
    if (type !== undefined && !/^application\/json\s*(;|$)/i.test(type)) {
      throw new HttpError(415, "content-type must be application/json");
    }
    const body = await readBody(c.req.raw, config.maxBodyBytes, {
      timeoutMs: config.bodyTimeoutMs,
      larger: { limitBytes: config.sessionEndMaxBodyBytes, marker: "session.end" },
    });
    const signature = await verifySignature(c.req.header("layercode-signature"), body, {
      secrets: config.webhookSecrets,
      toleranceSeconds: config.signatureToleranceSeconds,
      now: rt.now,
    });
    const event = parseEvent(body);
    if (body.byteLength > config.maxBodyBytes && event.type !== "session.end") {
      throw new HttpError(413, `request body is larger than ${config.maxBodyBytes} bytes`);
    }
    // The replay check runs beside what the turn does first (the agent, the history's read): it costs no round trip
    // of its own. Nothing is written, no hook runs and the model is not asked before it passes.
    const replayCheck = rt.replay?.seen(signature);
    const replayed = async () => {
      if (!replayCheck || !(await replayCheck)) return false;
      log.info("replayed webhook ignored", { conversationId: event.conversationId, type: event.type });
      return true;
    };
    if (event.type !== "message" && event.type !== "session.start" && (await replayed())) return replayAnswer(event);
    if (event.type === "unknown") {
      log.info("ignored an unknown webhook type", { conversationId: event.conversationId, type: event.originalType });
      return c.json({ ignored: true, type: event.originalType });
    }
    const waitUntil = rt.waitUntil(c);
    const context = turnContext(event, c.req.raw.headers, config.webhookHeaders);
    const hookContextOf = (agent: AgentProfile | undefined): HookContext => ({
      store: rt.store,
      history,
      historyKey: historyKeyOf(event.conversationId, agent?.id),
      context,
    });
    const background = (what: string, work: () => unknown) =>
      waitUntil(
        Promise.resolve().then(work).catch((error) =>
          log.error(`${what} failed`, { conversationId: event.conversationId, ...errorFields(error) })
        ),
      );

    if (event.type === "message" || event.type === "session.start") {
      // User code runs before the stream exists: whatever it throws, the turn still ends with response.end.
      let agent: AgentProfile | undefined;
      let prepared: string; // the system prompt of a message, the welcome of a session.start
      let step = "resolveAgent";
      let historyRead: Promise<TurnState> | undefined;
      try {
        agent = await rt.agentFor(event);
        const hookContext = hookContextOf(agent);
        if (event.type === "message") {
          // The one round trip before the model, beside the replay check (and the prompt hook, which waits for it).
          historyRead = history.read(hookContext.historyKey);
          historyRead.catch(() => {}); // the turn awaits it (bounded); a replay never does
        }
        if (await replayed()) return replayAnswer(event);
        // Templates are expanded in configured and profile strings only, never in what a hook returns.
        if (event.type === "message") {
          step = "systemPrompt hook";
          prepared = hooks.systemPrompt
            ? hookText(await hooks.systemPrompt(event, hookContext), step)
            : renderTemplate(agent?.systemPrompt ?? config.systemPrompt, templateData(context));
        } else {
          step = "welcome hook";
          prepared = hooks.welcome
            ? hookText(await hooks.welcome(event, hookContext), step)
            : renderTemplate(agent?.welcome ?? config.welcomeMessage, templateData(context));
        }
      } catch (error) {
        if (await replayed()) return replayAnswer(event);
        log.error(`${step} failed: the turn is answered with the apology`, {
          conversationId: event.conversationId,
          turnId: event.turnId,
          ...errorFields(error),
        });
        return apologyTurn(event.turnId, config.apologyMessage);
      }
      const turn = {
        context,
        historyKey: historyKeyOf(event.conversationId, agent?.id),
        history,
        log,
        waitUntil,
        signal: c.req.raw.signal,
        startedAt,
        now: rt.now,
        onTurn: hooks.onTurn,
        trace: rt.traces.get(c.req.raw),
      };
      if (event.type === "session.start") return streamTurn({ ...turn, type: "session.start", text: prepared });
      return streamTurn({
        ...turn,
        type: "message",
        text: event.text,
        interruption: event.interruption,
        historyRead,
        model: agent?.model ?? rt.model,
        system: prepared,
        tools: agent?.tools ?? rt.tools,
        timeoutMs: config.modelTimeoutMs,
        apology: config.apologyMessage,
        voiceSafe: config.voiceSafeOutput,
      });
    }

    switch (event.type) {
      case "data": {
        const answer = hooks.onData ? await hooks.onData(event, hookContextOf(await rt.agentFor(event))) : undefined;
        return c.json(answer === undefined ? { received: true } : answer);
      }
      case "session.end": {
        const summary: SessionSummary = {
          conversationId: event.conversationId,
          agentId: event.agentId,
          startedAt: event.startedAt,
          endedAt: event.endedAt,
          durationMs: event.durationMs,
          transcript: event.transcript,
          latency: event.latency,
          metadata: context.metadata,
        };
        // Answered at once: the agent (for the history's key) is resolved afterwards, with the hook.
        background("session.end hook", async () => {
          const hookContext = hookContextOf(await rt.agentFor(event));
          await hooks.onSessionEnd?.(summary, event, hookContext);
          if (config.deleteOnSessionEnd && event.conversationId) await history.delete(hookContext.historyKey);
        });
        return c.json({ received: true });
      }
      case "session.update":
        background("session.update hook", () => hooks.onSessionUpdate?.(event, hookContextOf(undefined)));
        return c.json({ received: true });
    }
  };
}
