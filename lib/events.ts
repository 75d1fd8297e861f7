import { HttpError } from "./errors.ts";

/** What the user heard of the previous assistant turn before barging in. */
export interface InterruptionContext {
  previousTurnInterrupted: boolean;
  wordsHeard?: number;
  textHeard?: string;
  assistantTurnId?: string;
}

/** Fields every webhook carries. */
export interface EventBase {
  /** Stable across reconnects: history is keyed by it (legacy events: their `session_id`). */
  conversationId: string;
  /** The connection; changes on every reconnect. */
  sessionId?: string;
  customMetadata?: Record<string, unknown>;
  fromPhoneNumber?: string;
  toPhoneNumber?: string;
  /** The parsed body as received, for hooks that need more. */
  raw: Record<string, unknown>;
}

/** A user turn (`message`, legacy `MESSAGE`): answered with a streamed reply. */
export interface MessageEvent extends EventBase {
  type: "message";
  turnId: string;
  text: string;
  interruption?: InterruptionContext;
}

/** A new session (`session.start`, legacy `SESSION_START`): answered with the welcome, if any. */
export interface SessionStartEvent extends EventBase {
  type: "session.start";
  turnId: string;
}

/** JSON sent by the browser client: answered with plain JSON. */
export interface DataEvent extends EventBase {
  type: "data";
  turnId?: string;
  data: unknown;
}

/** One line of a finished call's transcript. */
export interface TranscriptEntry {
  role: "user" | "assistant";
  text: string;
  /** Unix milliseconds (ISO strings are converted). */
  timestamp?: number;
}

/** Latency figures Layercode reports with `session.end`; a figure that is not a number is left out. */
export interface SessionLatency {
  /** `latency`. */
  latency?: number;
  /** `transcription_duration_seconds`. */
  transcriptionSeconds?: number;
  /** `tts_duration_seconds`. */
  ttsSeconds?: number;
}

/** The call ended. */
export interface SessionEndEvent extends EventBase {
  type: "session.end";
  agentId?: string;
  startedAt?: string;
  endedAt?: string;
  durationMs: number | null;
  transcript: TranscriptEntry[];
  latency: SessionLatency;
}

/** A recording finished after the call. */
export interface SessionUpdateEvent extends EventBase {
  type: "session.update";
  recordingStatus?: string;
  recordingUrl?: string;
  recordingDurationSeconds?: number;
  errorMessage?: string;
}

/** A webhook type this backend does not know: answered 2xx and ignored. */
export interface UnknownEvent extends EventBase {
  type: "unknown";
  originalType: string;
}

/** Every webhook, normalized (legacy types mapped to the current ones). */
export type WebhookEvent =
  | MessageEvent
  | SessionStartEvent
  | DataEvent
  | SessionEndEvent
  | SessionUpdateEvent
  | UnknownEvent;

/** Longest accepted `text` of a `message`, in characters. */
export const MAX_TEXT_LENGTH = 20_000;
/** Deepest accepted nesting of a webhook's JSON (the body itself is level 1), `custom_metadata` included. */
export const MAX_JSON_DEPTH = 32;
const MAX_ID_LENGTH = 256;
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

function bad(message: string): HttpError {
  return new HttpError(400, message);
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw bad(`${field} must be a string`);
  return value;
}

function id(body: Record<string, unknown>, field: string): string | undefined {
  const value = optionalString(body, field);
  if (value !== undefined && (value.length === 0 || value.length > MAX_ID_LENGTH)) {
    throw bad(`${field} must be 1 to ${MAX_ID_LENGTH} characters`);
  }
  return value;
}

function requiredId(body: Record<string, unknown>, field: string, type: string): string {
  const value = id(body, field);
  if (value === undefined) throw bad(`a ${type} event needs ${field}`);
  return value;
}

/** Whether a parsed JSON value is an object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * How deeply a parsed JSON value nests, counted without recursion (a hostile body cannot exhaust the stack), up to
 * `limit + 1`: a value nested deeper reports `limit + 1` at once.
 */
function depthOf(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (typeof item !== "object" || item === null) continue;
    if (depth > limit) return depth;
    if (depth > deepest) deepest = depth;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (typeof child === "object" && child !== null) stack.push([child, depth + 1]);
    }
  }
  return deepest;
}

function parseInterruption(value: unknown): InterruptionContext | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw bad("interruption_context must be an object");
  const heard = value.text_heard;
  const words = value.words_heard;
  const assistantTurnId = value.assistant_turn_id;
  return {
    previousTurnInterrupted: value.previous_turn_interrupted === true,
    textHeard: typeof heard === "string" ? heard : undefined,
    wordsHeard: typeof words === "number" ? words : undefined,
    assistantTurnId: typeof assistantTurnId === "string" ? assistantTurnId : undefined,
  };
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}

function parseTranscript(value: unknown): TranscriptEntry[] {
  if (!Array.isArray(value)) return [];
  const entries: TranscriptEntry[] = [];
  for (const item of value) {
    if (!isObject(item) || typeof item.text !== "string") continue;
    if (item.role !== "user" && item.role !== "assistant") continue;
    const at = typeof item.timestamp === "string" ? Date.parse(item.timestamp) : item.timestamp;
    entries.push({
      role: item.role,
      text: item.text,
      timestamp: typeof at === "number" && isFinite(at) ? at : undefined,
    });
  }
  return entries;
}

/**
 * Parses a verified webhook body into a typed event.
 * @throws {HttpError} 400 with a message that names what is wrong.
 */
export function parseEvent(body: Uint8Array | string): WebhookEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof body === "string" ? body : decoder.decode(body));
  } catch {
    throw bad("body is not valid UTF-8 JSON");
  }
  if (!isObject(parsed)) throw bad("body must be a JSON object");
  // Metadata is hashed, stored and handed to hooks as JSON: refuse what would exhaust a stack on the way.
  if (depthOf(parsed, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw bad(`body is nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  const type = parsed.type;
  if (typeof type !== "string" || type.length === 0) throw bad("body needs a string field type");

  const legacy = type === "MESSAGE" || type === "SESSION_START";
  const conversationField = legacy ? "session_id" : "conversation_id";
  const conversationId = id(parsed, conversationField) ?? (legacy ? id(parsed, "conversation_id") : undefined);
  const metadata = parsed.custom_metadata;
  if (metadata !== undefined && metadata !== null && !isObject(metadata)) {
    throw bad("custom_metadata must be an object");
  }
  const base = {
    conversationId: conversationId ?? "",
    sessionId: legacy ? optionalString(parsed, "connection_id") : id(parsed, "session_id"),
    customMetadata: metadata ?? undefined,
    fromPhoneNumber: optionalString(parsed, "from_phone_number"),
    toPhoneNumber: optionalString(parsed, "to_phone_number"),
    raw: parsed,
  };
  const needConversation = () => {
    if (!conversationId) throw bad(`a ${type} event needs ${conversationField}`);
  };

  switch (type) {
    case "message":
    case "MESSAGE": {
      needConversation();
      const text = parsed.text;
      if (typeof text !== "string" || text.trim().length === 0) {
        throw bad("a message event needs a non-empty string text");
      }
      if (text.length > MAX_TEXT_LENGTH) throw bad(`text is longer than ${MAX_TEXT_LENGTH} characters`);
      return {
        ...base,
        type: "message",
        turnId: requiredId(parsed, "turn_id", type),
        text,
        interruption: parseInterruption(parsed.interruption_context),
      };
    }
    case "session.start":
    case "SESSION_START":
      needConversation();
      return { ...base, type: "session.start", turnId: requiredId(parsed, "turn_id", type) };
    case "data":
      needConversation();
      return { ...base, type: "data", turnId: id(parsed, "turn_id"), data: parsed.data ?? null };
    case "session.end": {
      return {
        ...base,
        type: "session.end",
        agentId: optionalString(parsed, "agent_id"),
        startedAt: optionalString(parsed, "started_at"),
        endedAt: optionalString(parsed, "ended_at"),
        durationMs: optionalNumber(parsed.duration) ?? null,
        transcript: parseTranscript(parsed.transcript),
        latency: {
          latency: optionalNumber(parsed.latency),
          transcriptionSeconds: optionalNumber(parsed.transcription_duration_seconds),
          ttsSeconds: optionalNumber(parsed.tts_duration_seconds),
        },
      };
    }
    case "session.update": {
      return {
        ...base,
        type: "session.update",
        recordingStatus: optionalString(parsed, "recording_status"),
        recordingUrl: optionalString(parsed, "recording_url"),
        recordingDurationSeconds: optionalNumber(parsed.recording_duration),
        errorMessage: optionalString(parsed, "error_message"),
      };
    }
    default:
      return { ...base, type: "unknown", originalType: type.slice(0, 64) };
  }
}
