import type { ConversationStore, Versioned } from "../storage/types.ts";
import type { InterruptionContext } from "./events.ts";
import type { Message } from "./message.ts";

/**
 * A conversation's identity has three forms, each with one name:
 * - `conversationId`: Layercode's id of the conversation (events, the turn's context, logs, metrics);
 * - `historyKey`: the conversation in history, the `conversationId` under the agent's id when `resolveAgent` chose
 *   one ({@link historyKeyOf}), so that tenants never share history;
 * - `storeKey`: where that history lies in the store, the history's `prefix` then the `historyKey`.
 * @example historyKeyOf("c1", "sales") // "sales:c1"
 */
export function historyKeyOf(conversationId: string, agentId?: string): string {
  return agentId === undefined ? conversationId : `${agentId}:${conversationId}`;
}

/** The bounds of a conversation when {@link HistoryOptions} says nothing (the configuration's defaults too). */
export const HISTORY_DEFAULTS = { maxMessages: 50, maxBytes: 32_768, ttlSeconds: 43_200 } as const;

/** Options of {@link createHistory}. */
export interface HistoryOptions {
  /** Most messages kept per conversation; the oldest drop first. @default 50 */
  maxMessages?: number;
  /** Most bytes of one stored conversation (below Deno KV's 64 KiB value limit). @default 32768 */
  maxBytes?: number;
  /** Expiry of an idle conversation. @default 43200 (12 hours) */
  ttlSeconds?: number;
  /** Prefix of each `storeKey` (`prefix + historyKey`), so that several apps can share a store. @default "conv:" */
  prefix?: string;
}

interface Document {
  messages: Message[];
  /** What the user heard of an interrupted turn whose reply was not stored yet, by turn id. */
  heard?: Record<string, string>;
}

/** Where a turn left the stored conversation, so that its end needs no second read. */
export interface TurnState {
  /** The store's key of the conversation: the history's prefix, then its `historyKey`. */
  storeKey: string;
  doc: Document;
  version: string | null;
  /** Store operations this turn made so far. */
  ops: { reads: number; writes: number };
}

/** A conversation's history on a {@link ConversationStore}: one read and at most two writes per turn. */
export interface History {
  /** Reads the conversation and stores the user's message (once per turn id), rewriting an interrupted reply. */
  begin(historyKey: string, message?: Message, interruption?: InterruptionContext): Promise<TurnState>;
  /** Stores the assistant's reply of a turn, in its place after the user's message. */
  finish(state: TurnState, reply: Message): Promise<void>;
  /** Reads a conversation's messages. */
  load(historyKey: string): Promise<Message[]>;
  /** Forgets a conversation. */
  delete(historyKey: string): Promise<void>;
}

const MAX_ATTEMPTS = 8;
const MAX_PENDING_HEARD = 4;
const encoder = new TextEncoder();

function isMessage(value: unknown): value is Message {
  const m = value as Message | null;
  return typeof m === "object" && m !== null && (m.role === "user" || m.role === "assistant") &&
    typeof m.text === "string" && typeof m.turnId === "string" && typeof m.at === "number";
}

/** Reads a stored conversation; what is not a well-formed message (another app's value, an old schema) is dropped. */
function parse(stored: Versioned | null): Document {
  if (!stored) return { messages: [] };
  try {
    const doc = JSON.parse(stored.value) as Partial<Document> | null;
    const messages = Array.isArray(doc?.messages) ? doc.messages.filter(isMessage) : [];
    const heard = typeof doc?.heard === "object" && doc.heard !== null && !Array.isArray(doc.heard) ? doc.heard : undefined;
    return { messages, heard };
  } catch {
    return { messages: [] };
  }
}

function clone(doc: Document): Document {
  return { messages: doc.messages.slice(), heard: doc.heard ? { ...doc.heard } : undefined };
}

/** Adds the user's message unless its turn is already stored; applies what the user heard of the last reply. */
function applyUserMessage(doc: Document, message: Message, interruption?: InterruptionContext): boolean {
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
function applyReply(doc: Document, reply: Message): void {
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

/** Drops the oldest messages until the conversation fits its bounds; returns the serialized document. */
function bound(doc: Document, maxMessages: number, maxBytes: number): string {
  if (doc.messages.length > maxMessages) doc.messages.splice(0, doc.messages.length - maxMessages);
  for (;;) {
    const value = JSON.stringify(doc);
    // A UTF-16 code unit is at most 3 UTF-8 bytes: most conversations are measured without encoding them.
    const size = value.length * 3 <= maxBytes ? value.length : encoder.encode(value).byteLength;
    if (size <= maxBytes) return value;
    if (doc.messages.length > 1) {
      doc.messages.shift();
    } else if (doc.messages.length === 1) {
      const only = doc.messages[0];
      const keep = Math.max(0, only.text.length - (size - maxBytes) - 16);
      doc.messages[0] = { ...only, text: only.text.slice(0, keep) };
      if (keep === 0) doc.messages = [];
    } else {
      doc.heard = undefined;
      return JSON.stringify(doc);
    }
  }
}

/**
 * Conversation semantics over any {@link ConversationStore}, identical on every backend: the user's message
 * is stored once per turn id, a reply is stored in its turn's place, an interrupted reply becomes what the user
 * heard, and each conversation stays within its bounds. Writes are compare-and-set and retried on a conflict.
 */
export function createHistory(store: ConversationStore, options: HistoryOptions = {}): History {
  const maxMessages = options.maxMessages ?? HISTORY_DEFAULTS.maxMessages;
  const maxBytes = options.maxBytes ?? HISTORY_DEFAULTS.maxBytes;
  const ttlSeconds = options.ttlSeconds ?? HISTORY_DEFAULTS.ttlSeconds;
  const prefix = options.prefix ?? "conv:";

  async function update(state: TurnState, change: (doc: Document) => boolean): Promise<TurnState> {
    let { doc, version } = state;
    const { ops } = state;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const next = clone(doc);
      if (!change(next)) return { storeKey: state.storeKey, doc, version, ops };
      ops.writes++;
      const written = await store.set(state.storeKey, bound(next, maxMessages, maxBytes), { expected: version, ttlSeconds });
      if (written !== null) return { storeKey: state.storeKey, doc: next, version: written, ops };
      ops.reads++;
      const current = await store.get(state.storeKey);
      doc = parse(current);
      version = current?.version ?? null;
    }
    throw new Error(`conversation ${state.storeKey} changed ${MAX_ATTEMPTS} times during one write: giving up`);
  }

  async function read(historyKey: string): Promise<TurnState> {
    const storeKey = prefix + historyKey;
    const stored = await store.get(storeKey);
    return { storeKey, doc: parse(stored), version: stored?.version ?? null, ops: { reads: 1, writes: 0 } };
  }

  return {
    async begin(historyKey, message, interruption) {
      const state = await read(historyKey);
      return message ? update(state, (doc) => applyUserMessage(doc, message, interruption)) : state;
    },
    async finish(state, reply) {
      await update(state, (doc) => {
        applyReply(doc, reply);
        return true;
      });
    },
    async load(historyKey) {
      return (await read(historyKey)).doc.messages;
    },
    delete(historyKey) {
      return store.delete(prefix + historyKey);
    },
  };
}
