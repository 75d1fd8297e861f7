import { HttpError } from "./errors.ts";

/** Options of {@link readBody}. */
export interface ReadBodyOptions {
  /**
   * The whole body must arrive within this many milliseconds of the first read, else 408: a client that declares a
   * body and stops sending holds no memory or connection for longer. @default 10000
   */
  timeoutMs?: number;
  /**
   * A body that holds `marker` within its first `limitBytes` may grow to `limitBytes` here (the caller checks the
   * parsed body's type afterwards): `session.end` carries a whole call's transcript.
   */
  larger?: { limitBytes: number; marker: string };
}

/**
 * Reads a request body up to `limitBytes`, refusing larger bodies with 413 without reading them whole, and a body
 * that does not arrive within `timeoutMs` with 408 (the reader is cancelled, what was read is dropped).
 * @throws {HttpError} 413 when the body is larger than the limit, 408 when it stalls, 400 when it breaks off.
 */
export async function readBody(request: Request, limitBytes: number, options: ReadBodyOptions = {}): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  const { larger } = options;
  const most = larger ? Math.max(limitBytes, larger.limitBytes) : limitBytes;
  if (declared !== null && Number(declared) > most) throw tooLarge(limitBytes);
  if (!request.body) return new Uint8Array(0);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const reader = request.body.getReader();
  let timer!: ReturnType<typeof setTimeout>;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new HttpError(408, `the request body did not arrive within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  deadline.catch(() => {});
  const chunks: Uint8Array[] = [];
  let size = 0;
  let allowed = limitBytes;
  try {
    for (;;) {
      const read = reader.read().catch((error: unknown) => {
        // The client went away mid-body (Deno reports a half-closed connection so): the client's fault, not a 500.
        throw new HttpError(400, "the request body could not be read whole", { cause: error });
      });
      read.catch(() => {}); // a read that fails after the deadline is not unhandled
      const { done, value } = await Promise.race([read, deadline]);
      if (done) break;
      size += value.byteLength;
      chunks.push(value);
      if (size > allowed) {
        if (allowed === limitBytes && larger && holds(concat(chunks, size), limitBytes, larger.marker)) allowed = most;
        if (size > allowed) throw tooLarge(limitBytes);
      }
    }
  } catch (error) {
    reader.cancel().catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return concat(chunks, size);
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  chunks.splice(0, chunks.length, body);
  return body;
}

function holds(body: Uint8Array, within: number, marker: string): boolean {
  return new TextDecoder().decode(body.subarray(0, within)).includes(marker);
}

function tooLarge(limitBytes: number): HttpError {
  return new HttpError(413, `request body is larger than ${limitBytes} bytes`);
}
