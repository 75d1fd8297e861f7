/**
 * A few bytes of HTTP/1.1 over a raw loopback socket, for what `fetch` cannot send: a header line twice, and an
 * upload that keeps going until the server answers.
 */
import { connect, type Socket } from "node:net";

/** A response read off the socket: its status and whatever came after the head (chunked framing left in). */
export interface RawResponse {
  status: number;
  head: string;
  body: string;
}

function open(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => resolve(socket));
    socket.once("error", reject);
  });
}

function parse(text: string): RawResponse {
  const end = text.indexOf("\r\n\r\n");
  const head = end < 0 ? text : text.slice(0, end);
  const status = Number(head.match(/^HTTP\/1\.[01] (\d{3})/)?.[1] ?? 0);
  return { status, head, body: end < 0 ? "" : text.slice(end + 4) };
}

/**
 * Sends one request as written (`lines`: the request line and headers, without the blank line) with `body`,
 * and reads the answer until the server closes (`connection: close` is added, and `host` unless `lines` has one).
 * `halfClose` shuts the client's sending side right after the body, as some clients and proxies do; `timeoutMs`
 * (default 10 s) bounds the wait.
 */
export async function rawRequest(
  url: string,
  lines: string[],
  body: Uint8Array = new Uint8Array(0),
  { halfClose = false, timeoutMs = 10_000 } = {},
): Promise<RawResponse> {
  const socket = await open(url);
  // A host line of the caller's (a foreign Host, as a tunnel or a DNS-rebinding page sends) replaces the real one.
  const host = lines.some((line) => /^host:/i.test(line)) ? [] : [`host: ${new URL(url).host}`];
  const head = [...lines, ...host, `content-length: ${body.byteLength}`, "connection: close"];
  let text = "";
  const done = new Promise<RawResponse>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer in ${timeoutMs} ms, got: ${text.slice(0, 200)}`));
    }, timeoutMs);
    socket.on("data", (chunk: Uint8Array) => (text += new TextDecoder().decode(chunk)));
    socket.on("error", () => {}); // a reset after the answer is fine; no answer fails below
    socket.on("close", () => {
      clearTimeout(timer);
      const response = parse(text);
      if (response.status === 0) reject(new Error(`the connection closed without an answer: ${text.slice(0, 200)}`));
      else resolve(response);
    });
  });
  socket.write(head.join("\r\n") + "\r\n\r\n");
  if (halfClose) socket.end(body);
  else socket.write(body);
  return done;
}

/** What {@link uploadUntilAnswered} saw. */
export interface UploadResult {
  status: number;
  /** Body bytes written before the answer arrived (or in all). */
  sent: number;
  /** Whether the answer came before the whole body was written. */
  answeredEarly: boolean;
  /** The server reset the connection (TCP RST): an answer not yet read when it came is lost with it. */
  reset: boolean;
}

/** Options of {@link uploadUntilAnswered}. */
export interface UploadOptions {
  /** `chunked` (no length known) or `content-length` (declares `maxBytes` up front). @default "chunked" */
  framing?: "chunked" | "content-length";
  /** @default 65536 */
  chunkBytes?: number;
  /** @default 64 MiB */
  maxBytes?: number;
}

/**
 * POSTs a body of up to `maxBytes` (JSON whitespace) and stops writing as soon as the server answers,
 * to show that it refused the body without reading it whole.
 */
export async function uploadUntilAnswered(
  url: string,
  headers: string[],
  options: UploadOptions = {},
): Promise<UploadResult> {
  const { framing = "chunked", chunkBytes = 65_536, maxBytes = 64 * 1024 * 1024 } = options;
  const chunked = framing === "chunked";
  const socket = await open(url);
  const target = new URL(url);
  let text = "";
  let answered!: () => void;
  const answer = new Promise<void>((resolve) => (answered = resolve));
  const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  let reset = false;
  socket.on("error", (error: NodeJS.ErrnoException) => (reset ||= error.code === "ECONNRESET")); // after its answer
  socket.on("data", (chunk: Uint8Array) => {
    text += new TextDecoder().decode(chunk);
    if (/^HTTP\/1\.[01] \d{3}/.test(text)) answered();
  });
  let done = false;
  answer.then(() => (done = true));
  closed.then(() => (done = true));

  const head = [`POST ${target.pathname} HTTP/1.1`, `host: ${target.host}`, ...headers];
  head.push(chunked ? "transfer-encoding: chunked" : `content-length: ${maxBytes}`);
  socket.write(head.join("\r\n") + "\r\n\r\n");
  const chunk = new Uint8Array(chunkBytes).fill(0x20);
  const frame = chunked ? `${chunkBytes.toString(16)}\r\n` : "";
  const trailer = chunked ? "\r\n" : "";
  let sent = 0;
  while (!done && sent < maxBytes) {
    const flushed = [frame, chunk, trailer].map((part) => part.length === 0 || socket.write(part)).every(Boolean);
    sent += chunkBytes;
    if (!flushed) await Promise.race([new Promise((resolve) => socket.once("drain", resolve)), answer, closed]);
    // Let an answer that has arrived be read: a runtime may buffer writes without ever reporting backpressure.
    else await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const answeredEarly = done;
  if (!done && chunked) socket.write("0\r\n\r\n");
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, 10_000));
  await Promise.race([answer, closed, timeout]);
  socket.destroy();
  return { status: parse(text).status, sent, answeredEarly, reset };
}

/** One complete response off the front of `text`, or `undefined` while it is incomplete. */
function completeResponse(text: string): RawResponse | undefined {
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const response = parse(text);
  const length = response.head.match(/^content-length:\s*(\d+)/im)?.[1];
  if (length !== undefined) return response.body.length >= Number(length) ? response : undefined;
  if (/^transfer-encoding:\s*chunked/im.test(response.head)) return response.body.includes("0\r\n\r\n") ? response : undefined;
  return undefined;
}

/** What {@link twoRequestsOnOneConnection} saw. */
export interface ReusedConnection {
  first: RawResponse;
  /** The first answer's head says `connection: close`: a client must not reuse the connection. */
  announcedClose: boolean;
  /** The second answer, or what happened instead (`closed`, `reset`, `timeout`). */
  second: RawResponse | "closed" | "reset" | "timeout";
}

/**
 * What a pooling HTTP/1.1 client does: sends `first` (its lines and body) on a keep-alive connection, reads its whole
 * answer, then at once sends `second` on the same connection, unless the answer announced `connection: close`.
 * Each wait is bounded by 5 s.
 */
export async function twoRequestsOnOneConnection(
  url: string,
  first: { lines: string[]; body: Uint8Array },
  second: { lines: string[] },
): Promise<ReusedConnection> {
  const socket = await open(url);
  const host = `host: ${new URL(url).host}`;
  let text = "";
  let ended: "closed" | "reset" | undefined;
  let wake = () => {};
  socket.on("data", (chunk: Uint8Array) => {
    text += new TextDecoder("latin1").decode(chunk);
    wake();
  });
  socket.on("error", () => (ended = "reset"));
  socket.on("close", () => {
    ended ??= "closed";
    wake();
  });
  const next = async (): Promise<RawResponse | "closed" | "reset" | "timeout"> => {
    const deadline = Date.now() + 5000;
    for (;;) {
      const response = completeResponse(text);
      if (response) return response;
      if (ended) return ended;
      if (Date.now() > deadline) return "timeout";
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 50);
      });
    }
  };
  try {
    socket.write([...first.lines, host, `content-length: ${first.body.byteLength}`].join("\r\n") + "\r\n\r\n");
    socket.write(first.body);
    const answer = await next();
    if (typeof answer === "string") throw new Error(`no answer to the first request (${answer}): ${text.slice(0, 200)}`);
    const announcedClose = /^connection:\s*close/im.test(answer.head);
    if (announcedClose) return { first: answer, announcedClose, second: "closed" };
    text = "";
    socket.write([...second.lines, host].join("\r\n") + "\r\n\r\n");
    return { first: answer, announcedClose, second: await next() };
  } finally {
    socket.destroy();
  }
}
