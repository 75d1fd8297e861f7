import type { MiddlewareHandler } from "hono";
import { isLoopbackHost } from "../lib/config.ts";

/**
 * Development mode's guard: development mode accepts a public webhook secret, so only this machine may talk to it,
 * not a tunnel, a proxy or a DNS-rebinding page. Every name the request gives for the host it wants (`Host`,
 * `X-Forwarded-Host`, `Forwarded: host=`) must be a loopback name; otherwise 403 naming the fix.
 */
export function loopbackHostsOnly(): MiddlewareHandler {
  return async (c, next) => {
    const forwarded = c.req.header("forwarded")?.match(/(?:^|[;,\s])host="?([^";,\s]+)/i)?.[1];
    const hosts = [c.req.header("host") ?? new URL(c.req.url).host, c.req.header("x-forwarded-host"), forwarded];
    const foreign = hosts.find((host) => host !== undefined && !isLoopbackHost(host.trim()));
    if (foreign === undefined) return next();
    return c.json({
      error: `development mode answers only loopback hosts (localhost, 127.0.0.1, [::1]), not ${
        JSON.stringify(foreign.slice(0, 100))
      }: set LAYERCODE_WEBHOOK_SECRET to serve it, which turns development mode off`,
    }, 403);
  };
}
