import type { ConversationStore, Versioned } from "../storage/types.ts";
import type { InterruptionContext } from "./events.ts";
import {
  applyReply,
  applyUserMessage,
  bound,
  clone,
  type Document,
  isExact,
  parseDocument,
} from "./history-document.ts";
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
  /** Lets {@link History.peek} hand out the copy of a conversation this process wrote last. @default false */
  speculate?: boolean;
}

/** Where a turn left the stored conversation, so that its end needs no second read. */
export interface TurnState {
  /** The store's key of the conversation: the history's prefix, then its `historyKey`. */
  storeKey: string;
  doc: Document;
  version: string | null;
  /** Store operations this turn made so far (shared by the states of one turn, so it counts writes in flight too). */
  ops: { reads: number; writes: number };
  /** This process's ended turns of the conversation whose writes had not all landed when it was read. */
  unsettled?: readonly UnsettledTurn[];
}

/** A turn of this process that ended, whose messages are not all stored yet. */
export interface UnsettledTurn {
  message: Message;
  interruption?: InterruptionContext;
  reply?: Message;
}

/** What {@link History.record} gives a turn at once, and the write it started. */
export interface Recorded {
  /** The conversation the model reads: what was read, with the user's message, within the bounds. */
  messages: readonly Message[];
  /**
   * Settles when the user's message is stored (at once when its turn id already was): the state the reply's write
   * starts from. Rejects when the store fails; the turn then stores nothing more.
   */
  stored: Promise<TurnState>;
  /**
   * Ends the turn: stores its reply, if any, right after the user's message, from the version that write produced.
   * Until both are stored, this process shows them to the model in the conversation's next turns (a quick next
   * turn reads the store before they land), without waiting for them.
   */
  end(reply?: Message): Promise<TurnState>;
}

/**
 * A conversation's history on a {@link ConversationStore}: one read and at most two writes per turn. A turn reads
 * ({@link History.read}), records the user's message without waiting for its write ({@link History.record}), so
 * the model is asked after one round trip, and stores the reply from the state that write produced
 * ({@link History.finish}).
 */
export interface History {
  /** Reads the conversation: the one store round trip a turn waits for before the model. */
  read(historyKey: string): Promise<TurnState>;
  /**
   * Adds the user's message to a read conversation (once per turn id), rewriting an interrupted reply, and starts
   * storing it without waiting: compare-and-set decides, and a conflict reads again and retries.
   */
  record(state: TurnState, message: Message, interruption?: InterruptionContext): Recorded;
  /**
   * The conversation as this process last wrote it, when speculation is on and nothing this process read since
   * showed another writer: a turn may ask the model from it before {@link read} answers. Only the read confirms it
   * (its {@link record} gives the model the same messages as {@link preview} of this copy). Never a store operation.
   */
  peek(historyKey: string): TurnState | undefined;
  /** What {@link record} would show the model for this state and message, without writing anything. */
  preview(state: TurnState, message: Message, interruption?: InterruptionContext): readonly Message[];
  /** {@link read}, then {@link record} and its write awaited: two round trips, for callers that are not in a hurry. */
  begin(historyKey: string, message?: Message, interruption?: InterruptionContext): Promise<TurnState>;
  /** Stores the assistant's reply of a turn, in its place after the user's message. */
  finish(state: TurnState, reply: Message): Promise<void>;
  /** Reads a conversation's messages (copies: changing them changes nothing stored). */
  load(historyKey: string): Promise<Message[]>;
  /** Forgets a conversation. */
  delete(historyKey: string): Promise<void>;
}

const MAX_ATTEMPTS = 8;
/** Conversations whose last document read or written stays parsed in memory, and their characters at most. */
const CACHE_ENTRIES = 256;
const CACHE_CHARS = 4_000_000;
const CACHE_FROM_MESSAGES = 4;

/** A conversation's document as this process last read or wrote it, by store key. */
interface Cached {
  value: string;
  version: string;
  doc: Document;
  /** This process wrote it (a read that found another value replaces the entry). */
  wrote: boolean;
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

  // The last document read or written per conversation, parsed: a read that finds the same value again (the usual
  // case: this process wrote it) skips JSON.parse, and its messages' JSON is already made for the next write.
  const cache = new Map<string, Cached>();
  let cachedChars = 0;
  // A short conversation is parsed and serialized again in about what keeping it costs; speculation needs them all.
  const cacheFrom = options.speculate ? 0 : CACHE_FROM_MESSAGES;

  function forget(storeKey: string): void {
    const old = cache.get(storeKey);
    if (old === undefined) return;
    cachedChars -= old.value.length;
    cache.delete(storeKey);
  }

  function remember(storeKey: string, value: string, version: string, doc: Document, wrote: boolean): void {
    if (doc.messages.length < cacheFrom || value.length > CACHE_CHARS / 8 || !isExact(doc)) return forget(storeKey);
    const entry = cache.get(storeKey);
    if (entry === undefined) {
      cache.set(storeKey, { value, version, doc, wrote });
      cachedChars += value.length;
    } else {
      // Updated in place: a conversation keeps its place (first in, first out), which costs the busy path nothing.
      cachedChars += value.length - entry.value.length;
      Object.assign(entry, { value, version, doc, wrote });
    }
    if (cache.size <= CACHE_ENTRIES && cachedChars <= CACHE_CHARS) return;
    // The oldest eighth goes at once, so that a full cache does not pay an eviction on every write.
    for (const oldest of cache.keys()) {
      if (cache.size <= CACHE_ENTRIES * 0.875 && cachedChars <= CACHE_CHARS * 0.875) break;
      forget(oldest);
    }
  }

  /** The document of what the store answered: the cached one when the value is the same, else parsed. */
  function documentOf(storeKey: string, stored: Versioned | null): Document {
    if (stored === null) {
      forget(storeKey);
      return { messages: [] };
    }
    const cached = cache.get(storeKey);
    if (cached !== undefined && cached.value === stored.value) {
      cached.version = stored.version;
      return cached.doc;
    }
    const doc = parseDocument(stored.value);
    remember(storeKey, stored.value, stored.version, doc, false);
    return doc;
  }

  async function update(
    state: TurnState,
    change: (doc: Document) => boolean,
    prepared?: { doc: Document; value: string },
  ): Promise<TurnState> {
    let { doc, version } = state;
    const { ops, storeKey } = state;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      let next: Document;
      let value: string;
      if (attempt === 0 && prepared) {
        ({ doc: next, value } = prepared);
      } else {
        next = clone(doc);
        if (!change(next)) return { storeKey, doc, version, ops };
        value = bound(next, maxMessages, maxBytes);
      }
      ops.writes++;
      let written: string | null;
      try {
        written = await store.set(storeKey, value, { expected: version, ttlSeconds });
      } catch (error) {
        forget(storeKey); // a write that failed or timed out may still land: what is cached is no longer known
        throw error;
      }
      if (written !== null) {
        remember(storeKey, value, written, next, true);
        return { storeKey, doc: next, version: written, ops };
      }
      ops.reads++;
      const current = await store.get(storeKey);
      doc = documentOf(storeKey, current);
      version = current?.version ?? null;
    }
    throw new Error(`conversation ${storeKey} changed ${MAX_ATTEMPTS} times during one write: giving up`);
  }

  async function read(historyKey: string): Promise<TurnState> {
    const storeKey = prefix + historyKey;
    // What this process has not stored yet, as the read starts: the read may or may not see it land.
    const pending = unsettled.get(storeKey);
    const stored = await store.get(storeKey);
    const doc = documentOf(storeKey, stored);
    return { storeKey, doc, version: stored?.version ?? null, ops: { reads: 1, writes: 0 }, unsettled: pending };
  }

  /** The turns of this process that ended, by conversation, until their writes land. */
  const unsettled = new Map<string, UnsettledTurn[]>();

  /** The conversation as the model should see it: what was read, then what this process has not stored yet. */
  function seen(state: TurnState, next: Document, turnId: string, change: (doc: Document) => boolean): Message[] {
    const now = unsettled.get(state.storeKey);
    if (now === undefined && state.unsettled === undefined) return next.messages;
    // Those unsettled when the read started (it may or may not have seen them land), and those since.
    const turns = new Set([...state.unsettled ?? [], ...now ?? []].filter((turn) => turn.message.turnId !== turnId));
    if (turns.size === 0) return next.messages;
    const doc = clone(state.doc);
    for (const turn of turns) {
      applyUserMessage(doc, turn.message, turn.interruption);
      if (turn.reply) applyReply(doc, turn.reply);
    }
    change(doc);
    bound(doc, maxMessages, maxBytes); // within the same bounds as what is stored
    return doc.messages;
  }

  /** The user's message applied to a copy of `state`, bounded and serialized when it changed anything. */
  function prepare(state: TurnState, message: Message, interruption?: InterruptionContext) {
    const change = (doc: Document) => applyUserMessage(doc, message, interruption);
    const next = clone(state.doc);
    const value = change(next) ? bound(next, maxMessages, maxBytes) : undefined;
    return { change, next, value, messages: seen(state, next, message.turnId, change) };
  }

  function record(state: TurnState, message: Message, interruption?: InterruptionContext): Recorded {
    const { change, next, value, messages } = prepare(state, message, interruption);
    // Bounded and serialized once: the model reads what the first write attempt stores.
    const stored = value === undefined ? Promise.resolve(state) : update(state, change, { doc: next, value });
    return {
      messages,
      stored,
      end(reply) {
        const done = stored.then((written) => (reply ? storeReply(written, reply) : written));
        if (reply === undefined && value === undefined) return done; // nothing left to write
        // Until its writes land, this turn is shown to the model in the next turns of this process.
        const turn: UnsettledTurn = { message, interruption, reply };
        const turns = unsettled.get(state.storeKey);
        if (turns) turns.push(turn);
        else unsettled.set(state.storeKey, [turn]);
        const settle = () => {
          const left = unsettled.get(state.storeKey)?.filter((t) => t !== turn);
          if (left?.length) unsettled.set(state.storeKey, left);
          else unsettled.delete(state.storeKey);
        };
        done.then(settle, settle);
        return done;
      },
    };
  }

  function storeReply(state: TurnState, reply: Message): Promise<TurnState> {
    return update(state, (doc) => {
      applyReply(doc, reply);
      return true;
    });
  }

  return {
    read,
    record,
    peek(historyKey) {
      const storeKey = prefix + historyKey;
      const cached = options.speculate ? cache.get(storeKey) : undefined;
      if (!cached?.wrote) return undefined;
      const pending = unsettled.get(storeKey);
      return { storeKey, doc: cached.doc, version: cached.version, ops: { reads: 0, writes: 0 }, unsettled: pending };
    },
    preview: (state, message, interruption) => prepare(state, message, interruption).messages,
    async begin(historyKey, message, interruption) {
      const state = await read(historyKey);
      return message ? record(state, message, interruption).stored : state;
    },
    async finish(state, reply) {
      await storeReply(state, reply);
    },
    async load(historyKey) {
      return (await read(historyKey)).doc.messages.map((m) => ({ ...m }));
    },
    delete(historyKey) {
      forget(prefix + historyKey);
      return store.delete(prefix + historyKey);
    },
  };
}
