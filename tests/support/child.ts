/** Signals to child processes that work the same under Node, Bun and Deno. */
import type { ChildProcess } from "node:child_process";
import process from "node:process";

/**
 * Sends a signal to a child process, every time it is asked. `child.kill()` is not enough under Deno: its
 * node:child_process sends only the first signal of a child's life and ignores every later one, so a SIGKILL after a
 * SIGTERM (or a SIGCONT after a SIGSTOP) never reaches the process. A child that is already gone is not an error.
 */
export function sendSignal(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(child.pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/** Resolves when `exited` does; rejects with `message` if that takes longer than `ms`. */
export async function within(exited: Promise<void>, ms: number, message: () => string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message())), ms)));
  try {
    await Promise.race([exited, late]);
  } finally {
    clearTimeout(timer);
  }
}
