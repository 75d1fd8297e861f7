/**
 * The Workers entries' app: the routes app/assemble.ts adds, dispatched as Hono dispatches them, without Hono's app,
 * router and context classes (about 5 KB of the Workers bundle's budget, gzipped). Handlers and middleware are Hono's
 * own types and get a context with the part of Hono's `Context` they use: `req` (`raw`, `url`, `method`, `path`,
 * `header(name)`), `env`, `executionCtx`, `res`, `json()`. The path is read as Hono's `getPath()` reads
 * it (percent-decoded, `%25` kept); routes are static paths or `*`, matched as Hono's default router matches them
 * (strict: `/agent/` is not `/agent`), and a path with parameters or wildcards is refused when added; handlers and
 * middleware run in the order they were added, `next()` passes on, an error goes to `onError`, no answer to
 * `notFound`, and `HEAD` is `GET` without its body. Everything else of Hono (params, sub-apps, `c.set()`, renderers)
 * is not here: the full app is `createApp` (app/create-app.ts).
 * @module
 */
import type { Context, ErrorHandler, ExecutionContext, Handler, MiddlewareHandler, NotFoundHandler } from "hono";

type Next = () => Promise<void>;
type Route = (c: Context, next: Next) => unknown;

/** The path of a request URL as Hono's `getPath()` gives it: up to `?` or `#`, percent-decoded except `%25`. */
function pathOf(url: string): string {
  const path = url.slice(url.indexOf("/", url.indexOf(":") + 4)).split(/[?#]/, 1)[0];
  if (!path.includes("%")) return path;
  try {
    return decodeURI(path.replace(/%25/g, "%2525"));
  } catch {
    return path; // a malformed escape: no route of this app can match it either way
  }
}

/** A request's context, as much of Hono's `Context` as the app's handlers and Hono's CORS middleware use. */
class LeanContext {
  finalized = false;
  error: Error | undefined;
  readonly env: unknown;
  readonly req: { raw: Request; url: string; method: string; path: string; header: (name: string) => string | undefined };
  #ctx: ExecutionContext | undefined;
  #res: Response | undefined;

  constructor(request: Request, path: string, env: unknown, ctx: ExecutionContext | undefined) {
    this.env = env;
    this.#ctx = ctx;
    this.req = {
      raw: request,
      url: request.url,
      method: request.method,
      path,
      header: (name) => request.headers.get(name) ?? undefined,
    };
  }

  /** Workers' `ctx`; like Hono, throws when the platform gave none. */
  get executionCtx(): ExecutionContext {
    if (!this.#ctx) throw new Error("This context has no ExecutionContext");
    return this.#ctx;
  }

  /** The response so far: headers set on it before the handler answers are kept on the answer (CORS). */
  get res(): Response {
    return this.#res ??= new Response(null, { headers: new Headers() });
  }

  set res(res: Response) {
    if (this.#res && res) {
      res = new Response(res.body, res);
      for (const [name, value] of this.#res.headers) if (name !== "content-type") res.headers.set(name, value);
    }
    this.#res = res;
    this.finalized = true;
  }

  /** A JSON answer, with the headers set on the response so far. */
  json(value: unknown, status?: number, headers?: Record<string, string>): Response {
    const merged = new Headers(this.#res?.headers);
    merged.set("content-type", "application/json");
    for (const name in headers) merged.set(name, headers[name]);
    return new Response(JSON.stringify(value), { status, headers: merged });
  }
}

/** The routes of the agent backend without Hono's app: `post`, `get`, `all`, `use`, `notFound`, `onError`, `fetch`. */
export class LeanApp {
  #routes: { method: string; path: string; handler: Route }[] = [];
  #notFound: NotFoundHandler = () => new Response("404 Not Found", { status: 404 });
  #onError: ErrorHandler = (error) => {
    console.error(error);
    return new Response("Internal Server Error", { status: 500 });
  };

  #add(method: string, path: string, handlers: Route[]): this {
    if (path !== "*" && /[:*?{]/.test(path)) throw new Error(`LeanApp takes static paths or *, not ${path}`);
    for (const handler of handlers) this.#routes.push({ method, path, handler });
    return this;
  }

  /** Handlers of `POST path`. */
  post(path: string, ...handlers: Handler[]): this {
    return this.#add("POST", path, handlers as Route[]);
  }

  /** Handlers of `GET path` (and `HEAD`). */
  get(path: string, ...handlers: Handler[]): this {
    return this.#add("GET", path, handlers as Route[]);
  }

  /** Handlers of every method of `path`. */
  all(path: string, ...handlers: Handler[]): this {
    return this.#add("ALL", path, handlers as Route[]);
  }

  /** Middleware of every method of `path` (`*`: every path), run in the order added. */
  use(path: string, ...handlers: MiddlewareHandler[]): this {
    return this.#add("ALL", path, handlers as Route[]);
  }

  /** The answer when no handler answers. */
  notFound(handler: NotFoundHandler): this {
    this.#notFound = handler;
    return this;
  }

  /** The answer to an error a handler or middleware throws. */
  onError(handler: ErrorHandler): this {
    this.#onError = handler;
    return this;
  }

  /** Answers a request: a module Worker's `fetch(request, env, ctx)`. */
  fetch = (request: Request, env?: unknown, ctx?: ExecutionContext): Promise<Response> =>
    this.#dispatch(request, request.method, env, ctx);

  async #dispatch(request: Request, method: string, env: unknown, ctx: ExecutionContext | undefined): Promise<Response> {
    if (method === "HEAD") return new Response(null, await this.#dispatch(request, "GET", env, ctx));
    const path = pathOf(request.url);
    const handlers = this.#routes.filter((route) =>
      (route.method === method || route.method === "ALL") && (route.path === path || route.path === "*")
    ).map((route) => route.handler);
    const c = new LeanContext(request, path, env, ctx);
    const context = c as unknown as Context;
    let index = -1;
    // Each handler gets the next as `next()`; an error is answered by onError where it is thrown, as Hono's compose.
    const run = async (i: number): Promise<void> => {
      if (i <= index) throw new Error("next() called multiple times");
      index = i;
      const handler = handlers[i];
      let res: unknown;
      let failed = false;
      if (handler) {
        try {
          res = await handler(context, () => run(i + 1));
        } catch (error) {
          if (!(error instanceof Error)) throw error;
          c.error = error;
          res = await this.#onError(error, context);
          failed = true;
        }
      } else if (!c.finalized) {
        res = await this.#notFound(context);
      }
      if (res instanceof Response && (!c.finalized || failed)) c.res = res;
    };
    try {
      await run(0);
      if (!c.finalized) throw new Error("Context is not finalized: a handler returned no Response");
      return c.res;
    } catch (error) {
      if (error instanceof Error) return await this.#onError(error, context);
      throw error;
    }
  }
}
