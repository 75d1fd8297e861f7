/**
 * Split: the limit's handler behind a Hono route (`app.post("/agent", ...)`), the router ours and the official path
 * both use. The gap to the limit is what the framework costs.
 */
import { Hono } from "hono";
import limit from "./limit.ts";

const app = new Hono();
app.post("/agent", (c) => limit.fetch(c.req.raw));

export default { fetch: app.fetch };
