/**
 * Cloudflare Durable Objects: the strongly consistent, atomic store on Workers. The object class runs inside
 * workerd; the store talks to it with `fetch` on a stub. Web-standard code only: no `cloudflare:*` import, no
 * `nodejs_compat` flag needed.
 * @module
 */
import { guardFor } from "./errors.ts";
import type { ConversationStore, SetOptions, Versioned } from "./types.ts";

/** The Durable Object storage methods {@link ConversationObject} uses (`ctx.storage`). */
export interface DurableObjectStorageLike {
  get<T>(key: string): Promise<T | undefined>;
  put<T>(key: string, value: T): Promise<void>;
  delete(key: string): Promise<boolean>;
  list<T>(): Promise<Map<string, T>>;
  getAlarm(): Promise<number | null>;
  setAlarm(scheduledTime: number): Promise<void>;
}

/** A stub of one object: only `fetch` is used. */
export interface DurableObjectStubLike {
  fetch(input: string, init: RequestInit): Promise<Response>;
}

/** The Durable Object namespace methods the store uses: pass the binding, e.g. `env.SESSIONS`. */
export interface DurableObjectNamespaceLike<Id = unknown> {
  idFromName(name: string): Id;
  get(id: Id): DurableObjectStubLike;
}

/** One request to a {@link ConversationObject}. */
type Operation =
  | { op: "get"; key: string }
  | { op: "set"; key: string; value: string; expected: string | null; ttlSeconds: number }
  | { op: "delete"; key: string };

interface Entry {
  value: string;
  version: string;
  expiresAt: number;
}

/**
 * The Durable Object that holds conversations: export it from your Worker and bind it (see
 * {@link createDurableObjectStore}). An object runs one event at a time and its storage calls hold back other
 * events until they complete (input gates), so the read-compare-write of `set` is atomic. Expired entries are
 * absent on read and deleted by an alarm.
 */
export class ConversationObject {
  #storage: DurableObjectStorageLike;

  constructor(state: { storage: DurableObjectStorageLike }, _env?: unknown) {
    this.#storage = state.storage;
  }

  /** Serves one operation: a POST with a JSON {@link Operation}, answered with JSON. */
  async fetch(request: Request): Promise<Response> {
    let operation: Operation;
    try {
      operation = await request.json() as Operation;
      if (typeof operation?.key !== "string") throw new Error("no key");
    } catch {
      return Response.json({ error: "expected a JSON operation { op, key, ... }" }, { status: 400 });
    }
    switch (operation.op) {
      case "get": {
        const entry = await this.#live(operation.key);
        return Response.json(entry ? { value: entry.value, version: entry.version } : null);
      }
      case "set": {
        const current = await this.#live(operation.key);
        if ((current?.version ?? null) !== operation.expected) return Response.json({ version: null });
        const entry = {
          value: operation.value,
          version: crypto.randomUUID(),
          expiresAt: Date.now() + operation.ttlSeconds * 1000,
        };
        await this.#storage.put(operation.key, entry);
        // Only ever bring the alarm forward: an object that holds many keys (the replay guard's) under steady
        // writes would otherwise push its alarm back forever and never sweep.
        const alarm = await this.#storage.getAlarm();
        if (alarm === null || alarm > entry.expiresAt) await this.#storage.setAlarm(entry.expiresAt);
        return Response.json({ version: entry.version });
      }
      case "delete":
        await this.#storage.delete(operation.key);
        return Response.json({});
      default:
        return Response.json({ error: "op must be get, set or delete" }, { status: 400 });
    }
  }

  /** Deletes what has expired and sets the alarm again for what remains. */
  async alarm(): Promise<void> {
    let next = Infinity;
    for (const [key, entry] of await this.#storage.list<Entry>()) {
      if (entry.expiresAt <= Date.now()) await this.#storage.delete(key);
      else next = Math.min(next, entry.expiresAt);
    }
    if (next !== Infinity) await this.#storage.setAlarm(next);
  }

  async #live(key: string): Promise<Entry | undefined> {
    const entry = await this.#storage.get<Entry>(key);
    if (entry && entry.expiresAt <= Date.now()) {
      await this.#storage.delete(key);
      return undefined;
    }
    return entry;
  }
}

/** The replay guard's keys (`replay:<sha-256 hex>`) share this many objects; every other key has its own. */
export const REPLAY_OBJECTS = 16;

/**
 * The object a key lives in: its own for a conversation (conversations never wait on each other), one of
 * {@link REPLAY_OBJECTS} for the replay guard's keys, by the first hex digit of the fingerprint, so that replay
 * protection does not create a new object for every webhook.
 */
export function objectName(key: string): string {
  if (!key.startsWith("replay:")) return key;
  const digit = parseInt(key.charAt(7), 16);
  return `replay-shard:${Number.isNaN(digit) ? 0 : digit % REPLAY_OBJECTS}`;
}

/** Options of {@link createDurableObjectStore}. */
export interface DurableObjectStoreOptions {
  /** The namespace bound to {@link ConversationObject}. */
  namespace: DurableObjectNamespaceLike;
}

/**
 * A store on Cloudflare Durable Objects: atomic and strongly consistent, the choice on Workers when overlapping
 * turns must never lose a message. One object per conversation (`idFromName(key)`), so conversations never wait on
 * each other; each object lives where it was first used. The replay guard's keys share 16 objects ({@link objectName}). Per turn: one read and two writes, each one request to the
 * object. Works without `nodejs_compat`.
 *
 * `wrangler.toml`:
 * ```toml
 * [[durable_objects.bindings]]
 * name = "SESSIONS"
 * class_name = "ConversationObject"
 *
 * [[migrations]]
 * tag = "v1"
 * new_sqlite_classes = ["ConversationObject"]
 * ```
 * @example
 * export { ConversationObject } from "./storage/durable-object.ts";
 * export default {
 *   fetch: createApp({ store: (env) => createDurableObjectStore({ namespace: env.SESSIONS as DurableObjectNamespace }) }).fetch,
 * };
 */
export function createDurableObjectStore(options: DurableObjectStoreOptions): ConversationStore {
  const { namespace } = options;
  const name = "durable-object";
  const guard = guardFor(name);

  async function call<T>(operation: Operation): Promise<T> {
    const stub = namespace.get(namespace.idFromName(objectName(operation.key)));
    const response = await stub.fetch("https://conversation-object/", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(operation),
    });
    if (!response.ok) throw new Error(`the object answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
    return await response.json() as T;
  }

  return {
    name,
    atomic: true,
    // 128 KiB per value in a KV-backed object (2 MB when SQLite-backed), less the entry's own fields.
    maxValueBytes: 131_072 - 512,
    get(key: string): Promise<Versioned | null> {
      return guard("get", () => call<Versioned | null>({ op: "get", key }));
    },
    set(key: string, value: string, { expected, ttlSeconds }: SetOptions): Promise<string | null> {
      return guard("set", async () => {
        const { version } = await call<{ version: string | null }>({ op: "set", key, value, expected, ttlSeconds });
        return version;
      });
    },
    delete(key: string): Promise<void> {
      return guard("delete", () => call<unknown>({ op: "delete", key }).then(() => {}));
    },
  };
}
