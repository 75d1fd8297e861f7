import type { Context } from "hono";
import type { AgentRuntime, HookContext, SessionSummary } from "../lib/app.ts";
import { readBody } from "../lib/body.ts";
import { HttpError } from "../lib/errors.ts";
import { type EventBase, parseEvent } from "../lib/events.ts";
import { errorFields } from "../lib/log.ts";
import { replayAnswer } from "../lib/replay.ts";
import { verifySignature } from "../lib/signature.ts";
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

/**
 * `POST /agent`: the Layercode webhook. The signature is verified over the raw body before anything else runs;
 * `message` and `session.start` are answered with an SSE stream, the other events with JSON.
 */
export function agentHandler(runtime: (c: Context) => Promise<AgentRuntime>) {
  return async (c: Context): Promise<Response> => {
    const startedAt = performance.now();
    const rt = await runtime(c);
    const { config, hooks, history, log } = rt;
    const type = c.req.header("content-type");
    if (type !== undefined && !/^application\/json\s*(;|$)/i.test(type)) {
      throw new HttpError(415, "content-type must be application/json");
    }
    const body = await readBody(c.req.raw, config.maxBodyBytes);
    await verifySignature(c.req.header("layercode-signature"), body, {
      secrets: config.webhookSecrets,
      toleranceSeconds: config.signatureToleranceSeconds,
      now: rt.now,
    });
    const event = parseEvent(body);
    if (rt.replay && (await rt.replay.seen(c.req.header("layercode-signature")!, body))) {
      log.info("replayed webhook ignored", { conversationId: event.conversationId, type: event.type });
      return replayAnswer(event);
    }
    if (event.type === "unknown") {
      log.info("ignored an unknown webhook type", { conversationId: event.conversationId, type: event.originalType });
      return c.json({ ignored: true, type: event.originalType });
    }
    const waitUntil = rt.waitUntil(c);
    const context = turnContext(event, c.req.raw.headers, config.webhookHeaders);
    const agent = event.type === "session.update" ? undefined : await rt.agentFor(event);
    const historyKey = agent ? `${agent.id}:${event.conversationId}` : event.conversationId;
    const hookContext: HookContext = { store: rt.store, history, historyKey, context };
    const trace = rt.traces.get(c.req.raw);
    const turn = { context, historyKey, history, log, waitUntil, startedAt, now: rt.now, onTurn: hooks.onTurn, trace };
    const background = (what: string, work: () => unknown) =>
      waitUntil(
        Promise.resolve().then(work).catch((error) =>
          log.error(`${what} failed`, { conversationId: event.conversationId, ...errorFields(error) })
        ),
      );

    switch (event.type) {
      case "message": {
        const system = hooks.systemPrompt
          ? await hooks.systemPrompt(event, hookContext)
          : agent?.systemPrompt ?? config.systemPrompt;
        return streamTurn({
          ...turn,
          reply: {
            message: { role: "user", text: event.text, turnId: event.turnId, at: rt.now() },
            interruption: event.interruption,
            model: agent?.model ?? rt.model,
            system: renderTemplate(system, templateData(context)),
            tools: agent?.tools ?? rt.tools,
            timeoutMs: config.modelTimeoutMs,
            apology: config.apologyMessage,
            voiceSafe: config.voiceSafeOutput,
          },
        });
      }
      case "session.start": {
        const welcome = hooks.welcome
          ? await hooks.welcome(event, hookContext)
          : agent?.welcome ?? config.welcomeMessage;
        return streamTurn({ ...turn, say: renderTemplate(welcome, templateData(context)) });
      }
      case "data": {
        const answer = hooks.onData ? await hooks.onData(event, hookContext) : undefined;
        return c.json(answer === undefined ? { received: true } : answer);
      }
      case "session.end": {
        const raw = event.raw;
        const number = (value: unknown) => (typeof value === "number" ? value : undefined);
        const summary: SessionSummary = {
          conversationId: event.conversationId,
          agentId: event.agentId,
          startedAt: event.startedAt,
          endedAt: event.endedAt,
          durationMs: event.durationMs ?? null,
          transcript: event.transcript,
          latency: {
            latency: number(raw.latency),
            transcriptionSeconds: number(raw.transcription_duration_seconds),
            ttsSeconds: number(raw.tts_duration_seconds),
          },
          metadata: context.metadata,
        };
        background("session.end hook", async () => {
          await hooks.onSessionEnd?.(summary, event, hookContext);
          if (config.deleteOnSessionEnd && event.conversationId) await history.delete(historyKey);
        });
        return c.json({ received: true });
      }
      case "session.update":
        background("session.update hook", () => hooks.onSessionUpdate?.(event, hookContext));
        return c.json({ received: true });
    }
  };
}
