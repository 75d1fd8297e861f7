/** What the bench scripts that run inside Bun or Deno share: which runtime this is, RSS, GC, and the result line. */
// deno-lint-ignore no-explicit-any
const g = globalThis as any;

/** `bun` or `deno`. */
export const runtime: "bun" | "deno" = typeof g.Deno !== "undefined" ? "deno" : "bun";

/** The runtime's name and version, e.g. `bun 1.2.3`. */
export const runtimeVersion = runtime === "deno" ? `deno ${g.Deno.version.deno}` : `bun ${g.Bun.version}`;

/** Resident set size in bytes. */
export function rss(): number {
  return runtime === "deno" ? g.Deno.memoryUsage().rss : g.process.memoryUsage().rss;
}

/** Bytes used by the JavaScript heap. */
export function heapUsed(): number {
  return runtime === "deno" ? g.Deno.memoryUsage().heapUsed : g.process.memoryUsage().heapUsed;
}

/** A full garbage collection (Deno needs `--v8-flags=--expose-gc`). */
export function gc(): void {
  if (runtime === "bun") g.Bun.gc(true);
  else if (typeof g.gc === "function") g.gc();
}

/** Environment variable of either runtime. */
export function env(name: string): string | undefined {
  return runtime === "deno" ? g.Deno.env.get(name) : g.process.env[name];
}

/** Command-line arguments after the script. */
export const args: string[] = runtime === "deno" ? g.Deno.args : g.process.argv.slice(2);

/** Prints the one line bench/run.mjs reads: `RESULT <json>`. */
export function emit(result: unknown): void {
  console.log(`RESULT ${JSON.stringify(result)}`);
}
