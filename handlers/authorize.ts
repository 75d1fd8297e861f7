import type { Context, MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { AgentRuntime, AuthorizeBody } from "../lib/types.ts";
import { readBody } from "../lib/body.ts";
import { ConfigError, HttpError } from "../lib/errors.ts";
import { isObject } from "../lib/events.ts";
import { errorFields } from "../lib/log.ts";
import { redactSecret } from "../lib/redact.ts";

const MAX_BODY_BYTES = 16_384;
const UPSTREAM_TIMEOUT_MS = 10_000;
const LOCAL_ORIGIN = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

/** CORS for `/authorize`: the configured origins (`CORS_ORIGINS`), plus localhost in development. */
export function authorizeCors(runtime: (c: Context) => Promise<AgentRuntime>): MiddlewareHandler {
  return cors({
    origin: async (origin, c) => {
      const { config } = await runtime(c);
      const allowed = config.corsOrigins.includes("*") || config.corsOrigins.includes(origin) ||
        (config.mode === "development" && LOCAL_ORIGIN.test(origin));
      return allowed ? origin : null;
    },
    allowMethods: ["POST", "OPTIONS"],
    allowHeaders: ["content-type"],
    maxAge: 600,
  });
}

/**
 * The default `authorizeSession`: the browser may choose the agent and metadata, never a conversation to resume
 * (whoever learns a conversation's id would have its history read to them); only a hook may allow that.
 */
function defaultSessionRequest(body: Record<string, unknown>): AuthorizeBody {
  const { agent_id, metadata } = body;
  return { agent_id, metadata } as AuthorizeBody;
}

/** What is sent upstream: the known fields only, checked, and the agent against `LAYERCODE_AGENT_IDS`. */
function checked(body: AuthorizeBody, allowed: string[]): Record<string, unknown> {
  const { agent_id, conversation_id, metadata, config } = body;
  if (typeof agent_id !== "string" || agent_id.length === 0) throw new HttpError(400, "agent_id is required");
  if (allowed.length > 0 && !allowed.includes(agent_id)) throw new HttpError(403, "this agent_id is not allowed");
  if (conversation_id !== undefined && conversation_id !== null && typeof conversation_id !== "string") {
    throw new HttpError(400, "conversation_id must be a string");
  }
  if (metadata !== undefined && metadata !== null && !isObject(metadata)) {
    throw new HttpError(400, "metadata must be an object");
  }
  return {
    agent_id,
    ...(conversation_id ? { conversation_id } : {}),
    ...(metadata ? { metadata } : {}),
    ...(isObject(config) ? { config } : {}),
  };
}

/**
 * `POST /authorize`: asks Layercode for a client session key on the browser's behalf, so that the API key stays on
 * the server. The `authorizeSession` hook decides what is forwarded (per-session metadata, webhook headers).
 * Upstream statuses and `{ error }` messages pass through; nothing else of the upstream leaks.
 */
export function authorizeHandler(runtime: (c: Context) => Promise<AgentRuntime>) {
  return async (c: Context): Promise<Response> => {
    const { config, log, hooks } = await runtime(c);
    const apiKey = config.layercodeApiKey;
    if (!apiKey) {
      throw new ConfigError("LAYERCODE_API_KEY is not set: add it to .env (local) or your platform's secrets");
    }
    // application/json only: a browser sends text/plain (or no type) cross-site without a preflight, JSON never.
    if (!/^application\/json\s*(;|$)/i.test(c.req.header("content-type") ?? "")) {
      throw new HttpError(415, "content-type must be application/json");
    }
    const raw = await readBody(c.req.raw, MAX_BODY_BYTES, { timeoutMs: config.bodyTimeoutMs });
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder().decode(raw));
    } catch {
      throw new HttpError(400, "body is not valid JSON");
    }
    if (!isObject(body)) throw new HttpError(400, "body must be a JSON object");
    // The hook gets a request whose body can still be read (the original's was read above).
    const request = () =>
      new Request(c.req.url, {
        method: "POST",
        headers: c.req.raw.headers,
        body: raw.slice(),
        signal: c.req.raw.signal,
      });
    const session = hooks.authorizeSession
      ? await hooks.authorizeSession(request(), body)
      : defaultSessionRequest(body);
    const forwarded = JSON.stringify(checked(session, config.agentIds));
    let upstream: Response;
    try {
      upstream = await fetch(`${config.layercodeApiUrl}/v1/agents/web/authorize_session`, {
        method: "POST",
        headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
        body: forwarded,
        // Never follow a redirect: Workers' fetch would resend the Authorization header to another host.
        redirect: "manual",
        signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
      });
    } catch (error) {
      log.error("Layercode API unreachable", errorFields(error));
      throw new HttpError(502, "could not reach the Layercode API");
    }
    const answer: unknown = await upstream.json().catch(() => undefined);
    if (upstream.ok && isObject(answer)) return c.json(answer);
    if (upstream.ok) throw new HttpError(502, "the Layercode API sent an unreadable answer");
    if (upstream.status === 401 || upstream.status === 403) {
      // The API key itself was refused: the browser can do nothing about it, and must not learn about the key.
      log.error("the Layercode API refused LAYERCODE_API_KEY: check the key", { status: upstream.status });
      throw new HttpError(502, "the Layercode API could not authorize this session");
    }
    const status = upstream.status >= 400 && upstream.status <= 599 ? upstream.status : 502;
    const message = isObject(answer) && typeof answer.error === "string"
      ? redactSecret(answer.error, apiKey).slice(0, 300)
      : `the Layercode API answered ${upstream.status}`;
    log.warn("Layercode refused a session", { status: upstream.status });
    throw new HttpError(status, message);
  };
}
