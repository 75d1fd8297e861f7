/**
 * A router for static paths and trailing wildcards, for the Workers bundle: the app's routes are all static
 * (`/agent`, `/authorize`, `/health`, `*`), and Hono's default router (RegExpRouter and TrieRouter behind
 * SmartRouter) weighs about 2 KB gzipped there. It matches as Hono's default router does for these paths (strict:
 * `/agent/` is not `/agent`); `hono/tiny`'s PatternRouter would be smaller still but lets `/health/` answer as
 * `/health`. A path with parameters or an inner wildcard is refused when it is added, not misrouted.
 * @module
 */
import type { Result, Router } from "hono/router";
import { UnsupportedPathError } from "hono/router";

const NO_PARAMS: Record<string, string> = Object.create(null);

/** Matches a method and path against static routes and `/*`-ended ones, in the order they were added. */
export class StaticRouter<T> implements Router<T> {
  name = "StaticRouter";
  #routes: { method: string; path: string; prefix?: string; handler: T }[] = [];

  /** Adds a route: a static path, `/*` (every path) or `/prefix/*` (`/prefix` and below). */
  add(method: string, path: string, handler: T): void {
    const prefix = path.endsWith("/*") ? path.slice(0, -2) : undefined;
    if (/[:?*{]/.test(prefix ?? path)) throw new UnsupportedPathError(`StaticRouter takes static paths: ${path}`);
    this.#routes.push({ method, path, prefix, handler });
  }

  /** The handlers of every route matching `method` and `path`, in the order they were added. */
  match(method: string, path: string): Result<T> {
    const handlers: [T, Record<string, string>][] = [];
    for (const route of this.#routes) {
      if (route.method !== method && route.method !== "ALL") continue;
      const hit = route.prefix === undefined
        ? route.path === path
        : route.prefix === "" || path === route.prefix || path.startsWith(`${route.prefix}/`);
      if (hit) handlers.push([route.handler, NO_PARAMS]);
    }
    return [handlers];
  }
}
