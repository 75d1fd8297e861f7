/**
 * Makes a test file fail on an unhandled promise rejection, background work included.
 *
 * What the runners do by themselves (Bun 1.4, Deno 2.9, checked with a fixture): a rejection while a test runs fails
 * that test; one that comes between tests fails the next test (Bun) or the file (Deno). But work still running
 * after a file's last test escapes: Deno ends the file's worker and the rejection never happens, Bun lets it land
 * in whatever file runs next, or nowhere after the last. So each file that starts background work calls
 * {@link guardUnhandledRejections} and hands that work to the guard's `waitUntil`: after the file's last test the
 * guard waits for it, lets a moment pass for stray timers, and fails the file if anything went unhandled.
 * The runners' own reports still fire; the guard's listener only records (and keeps Node's default crash off).
 * Work handed to `waitUntil` that rejects counts as unhandled too: on Workers it would be an uncaught error.
 */
import process from "node:process";
import { after } from "node:test";

/** What {@link guardUnhandledRejections} gives a test file. */
export interface UnhandledGuard {
  /** A `waitUntil` for `createApp`: tracks background work so the file waits for it before it ends. */
  waitUntil: (work: Promise<unknown>) => void;
  /** Waits until every tracked piece of work, including work started meanwhile, has settled. */
  settled(): Promise<void>;
}

const seen: unknown[] = [];
let listening = false;

function listen() {
  if (listening) return;
  listening = true;
  const deno = (globalThis as { Deno?: unknown }).Deno;
  if (deno) {
    globalThis.addEventListener("unhandledrejection", (event) => seen.push(event.reason));
  } else {
    process.on("unhandledRejection", (reason) => seen.push(reason));
  }
}

/**
 * Registers the file's guard: an `after` hook that waits for tracked work and `settleMs` more, then fails on any
 * unhandled rejection seen since the file started. Call it once at the top level of a test file.
 */
export function guardUnhandledRejections(options: { settleMs?: number } = {}): UnhandledGuard {
  listen();
  const from = seen.length;
  const pending = new Set<Promise<unknown>>();
  const guard: UnhandledGuard = {
    waitUntil(work) {
      // The app hands over work that handles its own errors: a rejection here would be an uncaught error on Workers.
      const tracked: Promise<void> = work.then(
        () => void pending.delete(tracked),
        (reason) => {
          pending.delete(tracked);
          seen.push(reason);
        },
      );
      pending.add(tracked);
    },
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
  after(async () => {
    await guard.settled();
    await new Promise((resolve) => setTimeout(resolve, options.settleMs ?? 50));
    const found = seen.slice(from);
    if (found.length > 0) {
      throw new Error(`${found.length} unhandled promise rejection(s): ${found.map(String).join("; ").slice(0, 500)}`);
    }
  });
  return guard;
}
