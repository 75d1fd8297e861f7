/**
 * A remote store's latency in front of any real store: every operation takes `delayMs` (half on the way there,
 * half on the way back, as over a network), and each one's start and end go on a {@link Timeline} that the test's
 * model marks too, so that a test can tell how many store round trips came before the model was asked, by order
 * alone. A test may also hold chosen operations until it releases them, or make them fail or hang.
 */
import type { ConversationStore, SetOptions, Versioned } from "../../storage/types.ts";

/** One store operation as the timeline saw it. */
export interface StoreOp {
  id: number;
  op: "get" | "set" | "delete";
  key: string;
  /** A `set`'s expected version. */
  expected?: string | null;
  /** What it resolved: a `get`'s version (null: absent), a `set`'s new version (null: a conflict). */
  version?: string | null;
  failed?: boolean;
  /** Positions on the timeline. */
  start: number;
  end?: number;
}

/** The order in which store operations and the test's own marks (`model asked`) happened. */
export interface Timeline {
  /** Every operation so far, in order of start. */
  readonly ops: StoreOp[];
  /** Marks a moment (the model asked, a frame read): returns its position. */
  mark(label: string): number;
  /** Where a label was first marked, or -1. */
  at(label: string): number;
  /** Resolves once `when` holds (checked after each operation's start and end and each mark); rejects after `ms`. */
  until(when: () => boolean, ms?: number): Promise<void>;
  /** The operations that ended before position `at`. */
  endedBefore(at: number): StoreOp[];
}

/** A timeline for one test. */
export function createTimeline(): Timeline {
  let position = 0;
  const ops: StoreOp[] = [];
  const marks = new Map<string, number>();
  const waiters = new Set<() => void>();
  const tick = () => {
    position++;
    // Checked once the caller has recorded the position (an operation's `end`), not before.
    queueMicrotask(() => {
      for (const check of [...waiters]) check();
    });
    return position;
  };
  const timeline = {
    ops,
    tick,
    mark(label: string) {
      const at = tick();
      if (!marks.has(label)) marks.set(label, at);
      return at;
    },
    at: (label: string) => marks.get(label) ?? -1,
    until(when: () => boolean, ms = 5000) {
      if (when()) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`the timeline did not reach the awaited state in ${ms} ms`));
        }, ms);
        const check = () => {
          if (!when()) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
    endedBefore: (at: number) => ops.filter((op) => op.end !== undefined && op.end < at),
  };
  return timeline;
}

/** What a test can make an operation do instead of answering. */
export type Fault = "fail" | "hang";

/** A delayed store, and its controls. */
export interface DelayedStore extends ConversationStore {
  readonly timeline: Timeline;
  /** Holds every operation `match` selects (before it reaches the store) until the returned function is called. */
  hold(match: (op: StoreOp) => boolean): () => void;
  /** Makes the operations it selects fail (reject) or hang (never answer, until {@link release}). */
  fault?: (op: StoreOp) => Fault | undefined;
  /** Fails every operation left hanging or held, so that no work outlives the test. */
  release(): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `inner` behind `delayMs` of latency per operation (25 ms by default: a remote KV from an edge region). Named
 * `delayed-<inner>`, so the app treats it as a remote store (the replay guard keeps its keys in it too).
 */
export function delayedStore(
  inner: ConversationStore,
  options: { delayMs?: number; timeline?: Timeline } = {},
): DelayedStore {
  const delayMs = options.delayMs ?? 25;
  const timeline = (options.timeline ?? createTimeline()) as Timeline & { tick(): number };
  const holds = new Set<{ match: (op: StoreOp) => boolean; released: Promise<void>; release: () => void }>();
  const stuck = new Set<(error: Error) => void>();
  let next = 0;

  async function run<T>(op: StoreOp, work: () => Promise<T>, versionOf: (result: T) => string | null | undefined): Promise<T> {
    timeline.ops.push(op);
    op.start = timeline.tick();
    try {
      await sleep(delayMs / 2);
      for (const hold of [...holds]) if (hold.match(op)) await hold.released;
      const fault = store.fault?.(op);
      if (fault === "hang") await new Promise<never>((_, reject) => stuck.add(reject));
      if (fault === "fail") throw new Error(`delayed store: ${op.op} ${op.key} failed (the test's fault)`);
      const result = await work();
      op.version = versionOf(result);
      await sleep(delayMs / 2);
      return result;
    } catch (error) {
      op.failed = true;
      throw error;
    } finally {
      op.end = timeline.tick();
    }
  }

  const store: DelayedStore = {
    name: `delayed-${inner.name}`,
    atomic: inner.atomic,
    maxValueBytes: inner.maxValueBytes,
    timeline,
    get(key: string): Promise<Versioned | null> {
      const op: StoreOp = { id: ++next, op: "get", key, start: 0 };
      return run(op, () => inner.get(key), (found) => found?.version ?? null);
    },
    set(key: string, value: string, set: SetOptions): Promise<string | null> {
      const op: StoreOp = { id: ++next, op: "set", key, expected: set.expected, start: 0 };
      return run(op, () => inner.set(key, value, set), (version) => version);
    },
    delete(key: string): Promise<void> {
      const op: StoreOp = { id: ++next, op: "delete", key, start: 0 };
      return run(op, () => inner.delete(key), () => undefined);
    },
    hold(match) {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const hold = { match, released, release };
      holds.add(hold);
      return () => {
        holds.delete(hold);
        release();
      };
    },
    release() {
      for (const hold of holds) hold.release();
      holds.clear();
      for (const reject of stuck) reject(new Error("released"));
      stuck.clear();
    },
  };
  return store;
}
