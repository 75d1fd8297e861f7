/**
 * A flood of stalled uploads against a real server process, and the process's memory: what issue 12 measured (800
 * uploads that declare 250 KB and stop) and what `tests/e2e-flood.test.ts` and `bench/stall-flood.ts` check.
 * Loopback only.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { connect, type Socket } from "node:net";

/** What one stalled upload saw: the status of its answer (0: none), and whether the server closed the connection. */
export interface StalledUpload {
  status: number;
  closed: boolean;
}

/** Options of {@link startStalledFlood}. */
export interface StalledFloodOptions {
  /** How many uploads, all at once. */
  count: number;
  /** The `content-length` each declares. */
  declaredBytes: number;
  /** How many body bytes each sends before it stops (fewer than declared). */
  sentBytes: number;
  /** How long each waits for the server to close its connection before giving up (then `closed` is false). */
  waitMs: number;
}

/** A running flood: `sent` once every upload has written what it sends, `done` once each was closed or gave up. */
export interface StalledFlood {
  sent: Promise<void>;
  done: Promise<StalledUpload[]>;
}

/** POSTs `count` webhooks to `/agent` at once that declare `declaredBytes`, send `sentBytes` of it, then stop. */
export function startStalledFlood(url: string, options: StalledFloodOptions): StalledFlood {
  const { hostname, port } = new URL(url);
  const head = [
    "POST /agent HTTP/1.1",
    `host: ${hostname}:${port}`,
    "content-type: application/json",
    "layercode-signature: t=1,v1=00",
    `content-length: ${options.declaredBytes}`,
    "",
    "",
  ].join("\r\n");
  const body = new Uint8Array(options.sentBytes).fill(0x20); // spaces: valid JSON whitespace, never a whole body
  const uploads = Array.from({ length: options.count }, () => {
    let written!: () => void;
    let failed!: (error: Error) => void;
    const sent = new Promise<void>((resolve, reject) => {
      written = resolve;
      failed = reject;
    });
    const done = new Promise<StalledUpload>((resolve) => {
      const socket: Socket = connect({ host: hostname, port: Number(port) });
      let text = "";
      const status = () => Number(text.match(/^HTTP\/1\.[01] (\d{3})/)?.[1] ?? 0);
      const timer = setTimeout(() => {
        socket.destroy();
        failed(new Error("the upload was not written before the wait ran out"));
        resolve({ status: status(), closed: false });
      }, options.waitMs);
      socket.on("data", (chunk) => {
        text += chunk;
      });
      socket.on("error", () => {}); // a reset once answered counts as closed
      socket.on("close", () => {
        clearTimeout(timer);
        failed(new Error("the connection closed before the upload was written"));
        resolve({ status: status(), closed: true });
      });
      socket.once("connect", () => {
        socket.write(head);
        socket.write(body, () => written());
      });
    });
    return { sent, done };
  });
  const sent = Promise.all(uploads.map((u) => u.sent)).then(() => {});
  sent.catch(() => {}); // `done` tells what happened
  return { sent, done: Promise.all(uploads.map((u) => u.done)) };
}

/** VmRSS and VmHWM (peak) of a process, in bytes (Linux: /proc/<pid>/status). */
export function processMemory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (name: string) => Number(status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, "m"))?.[1] ?? NaN) * 1024;
  return { rss: kib("VmRSS"), peak: kib("VmHWM") };
}

/** The pid listening on a loopback port, found through /proc/net/tcp and the processes' socket inodes (Linux). */
export function listeningPid(port: number): number | undefined {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[1]?.endsWith(`:${hex}`) && fields[3] === "0A") inodes.add(fields[9]);
    }
  }
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (inodes.has(link.match(/^socket:\[(\d+)\]$/)?.[1] ?? "")) return Number(pid);
      } catch { /* gone */ }
    }
  }
  return undefined;
}
