/**
 * The stored document of one conversation (`{"messages":[…],"heard":{…}}`): how it is read, changed by a turn and
 * serialized within its bounds. Pure functions; `lib/history.ts` puts them on a store.
 * @module
 */
import type { InterruptionContext } from "./events.ts";
import type { Message } from "./message.ts";

/** A conversation as stored. Treated as immutable once read or written: a change works on a {@link clone}. */
export interface Document {
  messages: Message[];
  /** What the user heard of an interrupted turn whose reply was not stored yet, by turn id. */
  heard?: Record<string, string>;
  /**
   * How this document, or the one it was cloned from, was last serialized: a write that only drops the oldest
   * messages and appends new ones extends it instead of serializing the whole conversation again.
   */
  serialized?: Serialized;
}

/** A document's serialization, exactly `JSON.stringify({ messages, heard })`. */
export interface Serialized {
  value: string;
  /** The messages it holds, in order (an array never changed once serialized). */
  messages: readonly Message[];
  /** The `,"heard":{…}` part of `value`, or "". */
  heard: string;
  /** UTF-8 bytes of `value`, -1 until measured. */
  bytes: number;
}

const MAX_PENDING_HEARD = 4;

/** A well-formed message, the test every stored message passes when read. */
export function isMessage(value: unknown): value is Message {
  const m = value as Message | null;
  return typeof m === "object" && m !== null && (m.role === "user" || m.role === "assistant") &&
    typeof m.text === "string" && typeof m.turnId === "string" && typeof m.at === "number";
}

/** Reads a stored conversation; what is not a well-formed message (another app's value, an old schema) is dropped. */
export function parseDocument(value: string | undefined): Document {
  if (value === undefined) return { messages: [] };
  try {
    const doc = JSON.parse(value) as Partial<Document> | null;
    const messages = Array.isArray(doc?.messages) ? doc.messages.filter(isMessage) : [];
    const heard = typeof doc?.heard === "object" && doc.heard !== null && !Array.isArray(doc.heard) ? doc.heard : undefined;
    return { messages, heard };
  } catch {
    return { messages: [] };
  }
}

/** A copy to change: the message list and the pending `heard` are new, the messages themselves are shared. */
export function clone(doc: Document): Document {
  return { messages: doc.messages.slice(), heard: doc.heard ? { ...doc.heard } : undefined, serialized: doc.serialized };
}

/** Adds the user's message unless its turn is already stored; applies what the user heard of the last reply. */
export function applyUserMessage(doc: Document, message: Message, interruption?: InterruptionContext): boolean {
  let changed = false;
  if (interruption?.previousTurnInterrupted && interruption.textHeard !== undefined) {
    const last = doc.messages.findLast((m) => m.turnId !== message.turnId);
    const target = interruption.assistantTurnId ?? last?.turnId;
    if (target !== undefined) changed = applyHeard(doc, target, interruption.textHeard) || changed;
  }
  if (!doc.messages.some((m) => m.role === "user" && m.turnId === message.turnId)) {
    doc.messages.push(message);
    changed = true;
  }
  return changed;
}

function applyHeard(doc: Document, turnId: string, heard: string): boolean {
  const index = doc.messages.findLastIndex((m) => m.role === "assistant" && m.turnId === turnId);
  if (index >= 0) {
    if (doc.messages[index].text === heard) return false;
    if (heard.trim() === "") doc.messages.splice(index, 1);
    else doc.messages[index] = { ...doc.messages[index], text: heard };
    return true;
  }
  if (doc.heard?.[turnId] === heard) return false;
  const pending = { ...doc.heard, [turnId]: heard };
  const turns = Object.keys(pending);
  for (const old of turns.slice(0, Math.max(0, turns.length - MAX_PENDING_HEARD))) delete pending[old];
  doc.heard = pending;
  return true;
}

/** Puts a reply after its turn's user message (a late reply never lands after a newer turn), replacing an earlier copy. */
export function applyReply(doc: Document, reply: Message): void {
  const heard = doc.heard && Object.hasOwn(doc.heard, reply.turnId) ? doc.heard[reply.turnId] : undefined;
  if (heard !== undefined) {
    delete doc.heard![reply.turnId];
    if (Object.keys(doc.heard!).length === 0) doc.heard = undefined;
    if (heard.trim() === "") return;
    reply = { ...reply, text: heard };
  }
  const existing = doc.messages.findLastIndex((m) => m.role === "assistant" && m.turnId === reply.turnId);
  if (existing >= 0) {
    doc.messages[existing] = reply;
    return;
  }
  const user = doc.messages.findLastIndex((m) => m.role === "user" && m.turnId === reply.turnId);
  if (user >= 0) doc.messages.splice(user + 1, 0, reply);
  else doc.messages.push(reply);
}

const encoder = new TextEncoder();
/** `{"messages":[`: where the first message starts. */
const HEAD = 13;

/** UTF-8 bytes of a string (what `TextEncoder` writes; JSON text has no lone surrogate). */
function utf8Bytes(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) bytes += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2; // a surrogate pair: 4 bytes for 2 units
  }
  return bytes;
}

/**
 * `doc`'s serialization, made from the one it extends when it only dropped the oldest messages and appended new
 * ones (a turn's usual change), else in one `JSON.stringify`.
 */
function serialize(doc: Document, heard: string): Serialized {
  const base = doc.serialized;
  const now = doc.messages;
  if (base !== undefined && base.heard === heard && base.messages.length > 0 && now.length > 0) {
    const old = base.messages;
    const dropped = old.indexOf(now[0]);
    const kept = old.length - dropped;
    let same = dropped >= 0 && kept <= now.length;
    for (let i = 1; same && i < kept; i++) same = now[i] === old[dropped + i];
    if (same) {
      let start = HEAD;
      let bytes = base.bytes;
      for (let i = 0; i < dropped; i++) {
        const json = JSON.stringify(old[i]);
        start += json.length + 1;
        if (bytes >= 0) bytes -= utf8Bytes(json) + 1;
      }
      let value = `{"messages":[${base.value.slice(start, base.value.length - 2 - heard.length)}`;
      for (let i = kept; i < now.length; i++) {
        const json = JSON.stringify(now[i]);
        value += `,${json}`;
        if (bytes >= 0) bytes += utf8Bytes(json) + 1;
      }
      return { value: `${value}]${heard}}`, messages: now, heard, bytes };
    }
  }
  return { value: JSON.stringify({ messages: now, heard: doc.heard }), messages: now, heard, bytes: -1 };
}

/**
 * Drops the oldest messages until the conversation fits its bounds; returns the serialized document, exactly
 * `JSON.stringify({ messages, heard })`, and records it in `doc.serialized`. A turn's writes extend the
 * serialization they start from ({@link Document.serialized}), and dropping messages to fit re-serializes nothing.
 */
export function bound(doc: Document, maxMessages: number, maxBytes: number): string {
  if (doc.messages.length > maxMessages) doc.messages.splice(0, doc.messages.length - maxMessages);
  const heard = doc.heard === undefined ? "" : `,"heard":${JSON.stringify(doc.heard)}`;
  let serialized = serialize(doc, heard);
  // A UTF-16 code unit is at most 3 UTF-8 bytes: most conversations are measured without counting bytes.
  if (serialized.value.length * 3 > maxBytes) {
    if (serialized.bytes < 0) serialized.bytes = encoder.encode(serialized.value).byteLength;
    if (serialized.bytes > maxBytes) serialized = shrink(doc, serialized, maxBytes);
  }
  doc.serialized = serialized;
  return serialized.value;
}

/** Drops the oldest messages of a serialized document until it fits `maxBytes`; cuts the last one left if need be. */
function shrink(doc: Document, serialized: Serialized, maxBytes: number): Serialized {
  const { messages } = doc;
  let { bytes } = serialized;
  let start = HEAD;
  let first = 0;
  while (bytes > maxBytes && messages.length - first > 1) {
    const json = JSON.stringify(messages[first++]);
    start += json.length + 1;
    bytes -= utf8Bytes(json) + 1;
  }
  messages.splice(0, first);
  const { value, heard } = serialized;
  if (bytes <= maxBytes) return { value: `{"messages":[${value.slice(start)}`, messages, heard, bytes };
  // One message left, still too long (or none, and what was heard is): the rare case, measured the simple way.
  for (;;) {
    const value = JSON.stringify({ messages: doc.messages, heard: doc.heard });
    const size = encoder.encode(value).byteLength;
    if (size <= maxBytes) {
      const heard = doc.heard === undefined ? "" : `,"heard":${JSON.stringify(doc.heard)}`;
      return { value, messages: doc.messages, heard, bytes: size };
    }
    if (doc.messages.length === 1) {
      const only = doc.messages[0];
      const keep = Math.max(0, only.text.length - (size - maxBytes) - 16);
      doc.messages = keep === 0 ? [] : [{ ...only, text: only.text.slice(0, keep) }];
    } else {
      doc.heard = undefined;
      const value = JSON.stringify({ messages: doc.messages });
      return { value, messages: doc.messages, heard: "", bytes: encoder.encode(value).byteLength };
    }
  }
}

/** Whether reading the document's serialization back gives it again, so that a cache may hand it out unparsed. */
export function isExact(doc: Document): boolean {
  return doc.messages.every((m) => isMessage(m) && Number.isFinite(m.at));
}
