// A TCP proxy that puts distance between a client and a server on loopback: every chunk, in each direction, is
// passed on a fixed time after it arrived (in order), so a request and its answer take 2 × oneWayMs more. Used by
// the "remote store" section (bench/remote.mjs) in front of Redis and of the local Upstash REST server.
// Connection set-up is not delayed: the connections of a long-running server are already open.
import { createServer, connect } from "node:net";

/** A running proxy. */
export class LatencyProxy {
  /** @param {import("node:net").Server} server */
  constructor(server) {
    this.server = server;
    /** @type {Set<import("node:net").Socket>} */
    this.sockets = new Set();
  }

  /** The loopback port it listens on. */
  get port() {
    return /** @type {import("node:net").AddressInfo} */ (this.server.address()).port;
  }

  /** Stops listening and closes every connection. */
  close() {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve(undefined)));
  }
}

/**
 * Starts a proxy on a free loopback port.
 * @param {{ targetPort: number, targetHost?: string, oneWayMs: number }} options
 * @returns {Promise<LatencyProxy>}
 */
export async function startLatencyProxy({ targetPort, targetHost = "127.0.0.1", oneWayMs }) {
  let proxy;
  const server = createServer((client) => {
    const upstream = connect({ host: targetHost, port: targetPort });
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      proxy.sockets.add(socket);
      socket.on("close", () => {
        proxy.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
      socket.on("error", () => {});
    }
    relay(client, upstream, oneWayMs);
    relay(upstream, client, oneWayMs);
  });
  proxy = new LatencyProxy(server);
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(undefined));
  });
  return proxy;
}

/**
 * Passes what `from` sends to `to`, each chunk `ms` after it arrived. Node's timers fire on whole milliseconds
 * (early or late by up to one): the timer wakes about a millisecond before the due time and the last stretch
 * is waited out with `setImmediate`, so the delay is exact to a few tens of microseconds.
 */
function relay(from, to, ms) {
  const queue = [];
  let waiting = false;
  const due = () => queue[0].at - performance.now();
  const flush = () => {
    waiting = false;
    while (queue.length && due() <= 0) {
      const { chunk } = queue.shift();
      if (chunk === null) to.end();
      else if (!to.destroyed) to.write(chunk);
    }
    schedule();
  };
  const schedule = () => {
    if (waiting || !queue.length) return;
    waiting = true;
    const left = due();
    if (left > 1.5) setTimeout(() => (waiting = false, schedule()), Math.floor(left - 1));
    else setImmediate(flush);
  };
  from.on("data", (chunk) => {
    queue.push({ at: performance.now() + ms, chunk });
    schedule();
  });
  from.on("end", () => {
    queue.push({ at: performance.now() + ms, chunk: null });
    schedule();
  });
}
