import { HttpError } from "./errors.ts";

/**
 * Reads a request body up to `limitBytes`, refusing larger bodies with 413 without reading them whole.
 * @throws {HttpError} 413 when the body is larger than the limit.
 */
export async function readBody(request: Request, limitBytes: number): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limitBytes) throw tooLarge(limitBytes);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read().catch((error: unknown) => {
      // The client went away mid-body (Deno reports a half-closed connection so): the client's fault, not a 500.
      throw new HttpError(400, "the request body could not be read whole", { cause: error });
    });
    if (done) break;
    size += value.byteLength;
    if (size > limitBytes) {
      reader.cancel().catch(() => {});
      throw tooLarge(limitBytes);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function tooLarge(limitBytes: number): HttpError {
  return new HttpError(413, `request body is larger than ${limitBytes} bytes`);
}
