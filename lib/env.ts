/**
 * Reading the environment (variables and Workers bindings) the same way everywhere.
 * @module
 */

/** A variable's value, trimmed; `undefined` when it is not a non-blank string. */
export function envText(env: Record<string, unknown>, name: string): string | undefined {
  const value = env[name];
  return typeof value === "string" ? value.trim() || undefined : undefined;
}
