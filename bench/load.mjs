// The Node side of the turn benchmark: signed webhook requests, autocannon load and the time-to-first-frame client.
import autocannon from "autocannon";
import { createHmac } from "node:crypto";
import { request as httpRequest, Agent } from "node:http";
import { messageBody, SECRET } from "./fixture.mjs";

/**
 * Signs a body as Layercode does: HMAC-SHA256 hex over `t + "." + body`.
 * @param {string} body
 * @param {number} [t] unix seconds
 */
export function sign(body, t = Math.floor(Date.now() / 1000)) {
  return `t=${t},v1=${createHmac("sha256", SECRET).update(`${t}.${body}`).digest("hex")}`;
}

let counter = 0;
/** A fresh signed `message` request: its own turn, conversation and signature. */
export function signedRequest(run) {
  const body = messageBody(++counter, run);
  return { body, headers: { "content-type": "application/json", "layercode-signature": sign(body) } };
}

/**
 * Loads one server with autocannon: every request gets a fresh body (new turn and conversation) and signature.
 * @param {{ port: number, duration: number, connections: number, run: string }} options
 */
export async function load({ port, duration, connections, run }) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration,
    pipelining: 1,
    requests: [{
      method: "POST",
      path: "/agent",
      setupRequest(req) {
        const { body, headers } = signedRequest(run);
        return { ...req, body, headers };
      },
    }],
  });
  return {
    requests: result.requests.total,
    reqPerSec: result.requests.average,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    latencyAvg: result.latency.mean,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    bytesPerResponse: result.requests.total ? Math.round(result.throughput.total / result.requests.total) : 0,
  };
}

/** The value at fraction `p` of sorted values. */
export const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

/**
 * Time to first frame: a sequential client on an idle server, timing from the request's start to the first body
 * chunk (node:http over one keep-alive connection, so no connection set-up and little client jitter is counted).
 * @param {{ port: number, requests: number, run: string }} options
 */
export async function timeToFirstFrame({ port, requests, run }) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const times = [];
  try {
    for (let i = 0; i < requests; i++) {
      const { body, headers } = signedRequest(run);
      times.push(await firstChunk(port, agent, body, headers));
    }
  } finally {
    agent.destroy();
  }
  times.sort((a, b) => a - b);
  return { samples: times.length, p50: percentile(times, 0.5), p99: percentile(times, 0.99), min: times[0] };
}

async function firstChunk(port, agent, body, headers) {
  const { status, firstFrameMs } = await postWebhook(port, agent, body, headers, "time to first frame");
  if (status !== 200) throw new Error(`status ${status}`);
  if (firstFrameMs === undefined) throw new Error("empty body");
  return firstFrameMs;
}

/**
 * POSTs one webhook to /agent and reads the whole answer, timing its first frame: the first `data:` line, not the
 * first bytes, since ours opens each turn with an SSE comment (`:`) that flushes the headers. No answer in 10 s fails.
 * @param {string} what names the request in the timeout's error
 * @returns {Promise<{ status: number | undefined, text: string, firstFrameMs: number | undefined }>}
 */
export function postWebhook(port, agent, body, headers, what) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    let firstFrameMs;
    let text = "";
    const req = httpRequest({
      host: "127.0.0.1",
      port,
      method: "POST",
      path: "/agent",
      agent,
      headers: { ...headers, "content-length": Buffer.byteLength(body) },
      timeout: 10_000,
    }, (res) => {
      res.setEncoding("utf8");
      res.on("data", (chunk) => {
        text += chunk;
        if (firstFrameMs === undefined && text.includes("data:")) {
          firstFrameMs = Number(process.hrtime.bigint() - start) / 1e6;
        }
      });
      res.on("end", () => resolve({ status: res.statusCode, text, firstFrameMs }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`${what}: no answer in 10 s`)));
    req.on("error", reject);
    req.end(body);
  });
}
