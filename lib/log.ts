import { ConfigError } from "./errors.ts";
import { redactCredentials } from "./redact.ts";

/** Severity of a log line, lowest first. */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

/** Structured logging: one JSON line per call. Never pass secrets, signatures or whole bodies. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Whether a string names a log level (an own name: `constructor` or `__proto__` is none). */
export function isLogLevel(value: string): value is LogLevel {
  return Object.hasOwn(ORDER, value);
}

/** A logger writing JSON lines to the console, from `level` up. @param level @default "info" */
export function createLogger(level: LogLevel = "info"): Logger {
  const min = isLogLevel(level) ? ORDER[level] : ORDER.info;
  const write = (at: Exclude<LogLevel, "silent">) => (message: string, fields?: Record<string, unknown>) => {
    if (ORDER[at] < min) return;
    const line = JSON.stringify({ level: at, time: new Date().toISOString(), message, ...fields });
    if (at === "error" || at === "warn") console.error(line);
    else console.log(line);
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

/**
 * What may be logged of an error: its class and status, never its message (it may quote a body or a URL), except
 * for a `ConfigError`, whose message names a setting and the fix (with anything that looks like a credential removed).
 */
export function errorFields(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { errorClass: typeof error };
  const status = (error as { status?: unknown }).status;
  return {
    errorClass: error.name,
    ...(typeof status === "number" ? { status } : {}),
    ...(error instanceof ConfigError ? { error: redactCredentials(error.message) } : {}),
  };
}
