/**
 * Plays Layercode's side against an agent backend: signed webhooks, one conversation across turns, barge-in that
 * cancels the streaming reply and tells the next turn what was heard, and the call's transcript at the end.
 * Web standards only: `scripts/chat.ts` and the tests use it on every runtime. Imported as `./client` (client/mod.ts).
 * @module
 */
import { signWebhook } from "../lib/signature.ts";
import type { ResponseFrame } from "../lib/sse.ts";
import { readFrames } from "./read-frames.ts";

/** One line of a call's transcript, as `session.end` carries it. */
export interface TranscriptLine {
  role: "user" | "assistant";
  text: string;
  /** Unix milliseconds. */
  timestamp: number;
}

/** The `interruption_context` of a `message` that follows an interrupted reply. */
export interface InterruptionContextBody {
  previous_turn_interrupted: true;
  words_heard: number;
  text_heard: string;
  assistant_turn_id: string;
}

/** A webhook body and the headers Layercode sends with it. */
export interface SignedWebhook {
  /** The exact bytes to send: the signature covers them. */
  body: string;
  headers: Record<string, string>;
}

/** Words in a text, as `words_heard` counts them. */
export function countWords(text: string): number {
  const trimmed = text.trim();
  return trimmed ? trimmed.split(/\s+/).length : 0;
}

/** The interruption context for a reply of which the user heard `textHeard` before barging in. */
export function interruptionContext(textHeard: string, assistantTurnId: string): InterruptionContextBody {
  return {
    previous_turn_interrupted: true,
    words_heard: countWords(textHeard),
    text_heard: textHeard,
    assistant_turn_id: assistantTurnId,
  };
}

/**
 * Serializes and signs a webhook body as Layercode does (`layercode-signature: t=…,v1=…`).
 * @example
 * const { body, headers } = await signedWebhook({ type: "message", … }, secret);
 * await fetch(url, { method: "POST", headers, body });
 */
export async function signedWebhook(
  payload: Record<string, unknown>,
  secret: string,
  timestampSeconds?: number,
): Promise<SignedWebhook> {
  const body = JSON.stringify(payload);
  return {
    body,
    headers: { "content-type": "application/json", "layercode-signature": await signWebhook(body, secret, timestampSeconds) },
  };
}

/** Options of {@link createChatClient}. */
export interface ChatClientOptions {
  /** The backend's webhook URL, e.g. `http://127.0.0.1:8787/agent`. */
  url: string;
  /** The webhook secret to sign with. */
  secret: string;
  /** @default a new `chat_<uuid>` */
  conversationId?: string;
  /** @default a new `sess_<uuid>` */
  sessionId?: string;
  /** Sent as `agent_id` in `session.end`. */
  agentId?: string;
  fetch?: typeof fetch;
  /** Current time in milliseconds. @default Date.now */
  now?: () => number;
}

/** A reply being streamed: iterate it (once) for its frames; {@link ChatTurn.interrupt} barges in. */
export interface ChatTurn extends AsyncIterable<ResponseFrame> {
  readonly turnId: string;
  /** The webhook body sent. */
  readonly request: Record<string, unknown>;
  /** What was spoken so far: the `response.tts` frames already handed to the iterator. */
  readonly text: string;
  readonly interrupted: boolean;
  /** Cancels the reply as Layercode does when the user speaks over it: the request is aborted. */
  interrupt(): void;
}

/** An answer in JSON (`data`, `session.end`). */
export interface JsonAnswer {
  request: Record<string, unknown>;
  status: number;
  body: unknown;
}

/** One conversation with a backend, as Layercode would hold it. */
export interface ChatClient {
  readonly conversationId: string;
  readonly sessionId: string;
  /** The call so far: what the user said, and what the agent said or, when interrupted, what was heard of it. */
  readonly transcript: readonly TranscriptLine[];
  /** What the next message will carry after an interrupted reply. */
  readonly pendingInterruption: InterruptionContextBody | undefined;
  /** Sends `session.start`: the welcome turn. */
  start(): ChatTurn;
  /** Sends a user `message`, with the interruption context when the previous reply was interrupted. */
  say(text: string): ChatTurn;
  /** Sends a `data` event. */
  data(data: unknown): Promise<JsonAnswer>;
  /** Sends `session.end` with the transcript. */
  end(): Promise<JsonAnswer>;
}

const id = (prefix: string) => `${prefix}_${crypto.randomUUID()}`;

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Creates a chat with a backend that signs every webhook, keeps one conversation and tracks interruptions.
 * @example
 * const chat = createChatClient({ url: "http://127.0.0.1:8787/agent", secret });
 * for await (const frame of chat.say("Hello")) console.log(frame);
 * await chat.end();
 */
export function createChatClient(options: ChatClientOptions): ChatClient {
  const fetcher = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const conversationId = options.conversationId ?? id("chat");
  const sessionId = options.sessionId ?? id("sess");
  const startedAt = now();
  const transcript: TranscriptLine[] = [];
  let pending: InterruptionContextBody | undefined;
  const ids = { session_id: sessionId, conversation_id: conversationId };

  async function post(body: Record<string, unknown>, signal?: AbortSignal): Promise<Response> {
    const signed = await signedWebhook(body, options.secret);
    return fetcher(options.url, { method: "POST", headers: signed.headers, body: signed.body, signal });
  }

  function turn(request: Record<string, unknown>): ChatTurn {
    const turnId = request.turn_id as string;
    const controller = new AbortController();
    const response = post(request, controller.signal);
    response.catch(() => {});
    let text = "";
    let firstAt: number | undefined;
    let interrupted = false;
    let finished = false;
    let iterated = false;

    function settle() {
      if (interrupted) pending = interruptionContext(text, turnId);
      if (text.trim()) transcript.push({ role: "assistant", text, timestamp: firstAt ?? now() });
    }

    async function* frames(): AsyncGenerator<ResponseFrame> {
      try {
        const answer = await response;
        const type = answer.headers.get("content-type") ?? "";
        if (!answer.ok || !answer.body || !type.startsWith("text/event-stream")) {
          const detail = await readJson(answer);
          const message = typeof detail === "object" && detail !== null && "error" in detail
            ? String((detail as { error: unknown }).error)
            : String(detail).slice(0, 200);
          finished = true;
          throw new Error(`${request.type} was answered ${answer.status}: ${message}`);
        }
        for await (const frame of readFrames(answer.body)) {
          if (interrupted) break;
          if (frame.type === "response.tts") {
            firstAt ??= now();
            text += frame.content;
          }
          yield frame;
          if (frame.type === "response.end") break;
        }
        if (!interrupted) finished = true;
      } catch (error) {
        if (!interrupted) {
          finished = true;
          throw error;
        }
      } finally {
        if (!finished && !interrupted) {
          interrupted = true; // the consumer stopped reading: the reply is cut where it was
          controller.abort();
        }
        settle();
      }
    }

    return {
      turnId,
      request,
      get text() {
        return text;
      },
      get interrupted() {
        return interrupted;
      },
      interrupt() {
        if (finished || interrupted) return;
        interrupted = true;
        controller.abort();
      },
      [Symbol.asyncIterator]() {
        if (iterated) throw new Error("a chat turn can be read once");
        iterated = true;
        return frames();
      },
    };
  }

  async function json(request: Record<string, unknown>): Promise<JsonAnswer> {
    const response = await post(request);
    return { request, status: response.status, body: await readJson(response) };
  }

  return {
    conversationId,
    sessionId,
    transcript,
    get pendingInterruption() {
      return pending;
    },
    start() {
      return turn({ type: "session.start", ...ids, turn_id: id("turn") });
    },
    say(text) {
      const request: Record<string, unknown> = { type: "message", ...ids, turn_id: id("turn"), text };
      if (pending) request.interruption_context = pending;
      pending = undefined;
      transcript.push({ role: "user", text, timestamp: now() });
      return turn(request);
    },
    data(data) {
      return json({ type: "data", ...ids, turn_id: id("turn"), data });
    },
    end() {
      const endedAt = now();
      return json({
        type: "session.end",
        ...ids,
        ...(options.agentId ? { agent_id: options.agentId } : {}),
        started_at: new Date(startedAt).toISOString(),
        ended_at: new Date(endedAt).toISOString(),
        duration: endedAt - startedAt,
        recording_status: "disabled",
        transcript: transcript.slice(),
      });
    },
  };
}
