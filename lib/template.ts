/**
 * Fills `{{path}}` placeholders from plain data: `{{metadata.firstName}}`, with a fallback for missing values
 * `{{metadata.firstName | "there"}}`. Only property lookups: no code is evaluated, and only strings, numbers and
 * booleans are written (objects and missing values become the fallback, or nothing).
 * @example
 * renderTemplate("Hi {{metadata.name | \"there\"}}!", { metadata: { name: "Ada" } }); // "Hi Ada!"
 */
export function renderTemplate(template: string, data: Record<string, unknown>): string {
  if (!template.includes("{{")) return template;
  return template.replace(PLACEHOLDER, (_, path: string, fallback?: string) => {
    let value: unknown = data;
    for (const key of path.split(".")) {
      if (typeof value !== "object" || value === null || !Object.hasOwn(value, key)) {
        value = undefined;
        break;
      }
      value = (value as Record<string, unknown>)[key];
    }
    const scalar = typeof value === "string" || typeof value === "number" || typeof value === "boolean";
    return scalar && String(value) !== "" ? String(value) : (fallback ?? "");
  });
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w-]*(?:\.[\w-]+)*)\s*(?:\|\s*"([^"]*)"\s*)?\}\}/g;
