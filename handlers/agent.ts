import type { Context } from "hono";
import type { AgentRuntime } from "../lib/app.ts";
import { readBody } from "../lib/body.ts";
import { HttpError } from "../lib/errors.ts";
import { parseEvent } from "../lib/events.ts";
import { errorFields } from "../lib/log.ts";
import { verifySignature } from "../lib/signature.ts";
import { streamTurn } from "../lib/turn.ts";

/**
 * `POST /agent`: the Layercode webhook. The signature is verified over the raw body before anything else runs;
 * `message` and `session.start` are answered with an SSE stream, the other events with JSON.
 */
export function agentHandler(runtime: (c: Context) => Promise<AgentRuntime>) {
  return async (c: Context): Promise<Response> => {
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
    const waitUntil = rt.waitUntil(c);
    const ids = { conversationId: event.conversationId };

    switch (event.type) {
      case "message":
        return streamTurn({
          conversationId: event.conversationId,
          turnId: event.turnId,
          history,
          log,
          waitUntil,
          now: rt.now,
          reply: {
            message: { role: "user", text: event.text, turnId: event.turnId, at: rt.now() },
            interruption: event.interruption,
            model: rt.model,
            system: hooks.systemPrompt ? await hooks.systemPrompt(event) : config.systemPrompt,
            timeoutMs: config.modelTimeoutMs,
            apology: config.apologyMessage,
          },
        });
      case "session.start":
        return streamTurn({
          conversationId: event.conversationId,
          turnId: event.turnId,
          history,
          log,
          waitUntil,
          now: rt.now,
          say: hooks.welcome ? await hooks.welcome(event) : config.welcomeMessage,
        });
      case "data": {
        const answer = hooks.onData ? await hooks.onData(event) : undefined;
        return c.json(answer === undefined ? { received: true } : answer);
      }
      case "session.end":
        waitUntil(
          (async () => {
            await hooks.onSessionEnd?.(event);
            if (config.deleteOnSessionEnd && event.conversationId) await history.delete(event.conversationId);
          })().catch((error) => log.error("session.end hook failed", { ...ids, ...errorFields(error) })),
        );
        return c.json({ received: true });
      case "session.update":
        waitUntil(
          Promise.resolve()
            .then(() => hooks.onSessionUpdate?.(event))
            .catch((error) => log.error("session.update hook failed", { ...ids, ...errorFields(error) })),
        );
        return c.json({ received: true });
      case "unknown":
        log.info("ignored an unknown webhook type", { ...ids, type: event.originalType });
        return c.json({ ignored: true, type: event.originalType });
    }
  };
}
