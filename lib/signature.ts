import { WebhookVerificationError } from "./errors.ts";

/** Options of {@link verifySignature}. */
export interface VerifySignatureOptions {
  /** Accepted secrets; more than one during a rotation. */
  secrets: readonly string[];
  /** Largest accepted distance between the signed timestamp and now, both ways. @default 300 */
  toleranceSeconds?: number;
  /** Current time in milliseconds. @default Date.now */
  now?: () => number;
}

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();
const MAX_HEADER_LENGTH = 2048;
const MAX_SIGNATURES = 8;

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
    if (keys.size > 64) keys.clear();
    keys.set(secret, key);
    // A failed import (an empty secret) is never kept: the next call tries again.
    key.catch(() => keys.get(secret) === key && keys.delete(secret));
  }
  return key;
}

/** What a signature covers: the timestamp, a `.`, then the raw body's bytes. */
export function signedPayload(timestamp: string, body: Uint8Array | string): Uint8Array<ArrayBuffer> {
  const prefix = encoder.encode(`${timestamp}.`);
  const bytes = typeof body === "string" ? encoder.encode(body) : body;
  const payload = new Uint8Array(prefix.length + bytes.length);
  payload.set(prefix);
  payload.set(bytes, prefix.length);
  return payload;
}

function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  const lower = c | 32;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1; // a-f, A-F
}

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> | null {
  if (hex.length !== 64) return null;
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    const high = nibble(hex.charCodeAt(2 * i));
    const low = nibble(hex.charCodeAt(2 * i + 1));
    if (high < 0 || low < 0) return null;
    bytes[i] = (high << 4) | low;
  }
  return bytes;
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

/** Lower-case hex of some bytes. */
export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let hex = "";
  for (let i = 0; i < view.length; i++) hex += HEX[view[i]];
  return hex;
}

/** The parts of a `layercode-signature` header: `t=<unix seconds>,v1=<hex>[,v1=<hex>…]`. */
export interface ParsedSignature {
  timestamp: string;
  signatures: Uint8Array<ArrayBuffer>[];
}

/** What {@link verifySignature} returns: the parsed header, and which of its signatures matched a secret. */
export interface VerifiedSignature extends ParsedSignature {
  /**
   * The header's `v1` signatures that match a secret: the one that did, or every one that does when the header carries
   * more than one (so that a copy with fewer of them is still known for the same webhook).
   */
  matched: Uint8Array<ArrayBuffer>[];
}

/**
 * Parses a `layercode-signature` header.
 * @throws {WebhookVerificationError} when the header is missing or malformed.
 */
export function parseSignatureHeader(header: string | null | undefined): ParsedSignature {
  if (!header) throw new WebhookVerificationError("missing layercode-signature header");
  if (header.length > MAX_HEADER_LENGTH) throw new WebhookVerificationError("malformed layercode-signature header");
  let timestamp: string | undefined;
  const signatures: Uint8Array<ArrayBuffer>[] = [];
  for (const part of header.split(",")) {
    const eq = part.indexOf("=");
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (eq < 0) throw new WebhookVerificationError("malformed layercode-signature header");
    if (name === "t") {
      if (timestamp !== undefined || !/^\d{1,12}$/.test(value)) {
        throw new WebhookVerificationError("malformed layercode-signature timestamp");
      }
      timestamp = value;
    } else if (name === "v1") {
      const bytes = hexToBytes(value);
      if (bytes && signatures.length < MAX_SIGNATURES) signatures.push(bytes);
    }
  }
  if (timestamp === undefined) throw new WebhookVerificationError("layercode-signature has no timestamp (t=)");
  if (signatures.length === 0) throw new WebhookVerificationError("layercode-signature has no valid v1 signature");
  return { timestamp, signatures };
}

/**
 * Verifies a webhook's `layercode-signature` over the raw body, in constant time (WebCrypto `verify`).
 * @returns the parsed header and the signatures that matched, for what needs them after verification (the replay guard).
 * @throws {WebhookVerificationError} when the header is malformed, stale or matches no secret.
 * @example
 * await verifySignature(request.headers.get("layercode-signature"), rawBody, { secrets: ["whsec_…"] });
 */
export async function verifySignature(
  header: string | null | undefined,
  body: Uint8Array | string,
  options: VerifySignatureOptions,
): Promise<VerifiedSignature> {
  const parsed = parseSignatureHeader(header);
  const { timestamp, signatures } = parsed;
  const tolerance = options.toleranceSeconds ?? 300;
  const nowSeconds = Math.floor((options.now ?? Date.now)() / 1000);
  if (Math.abs(nowSeconds - Number(timestamp)) > tolerance) {
    throw new WebhookVerificationError("layercode-signature timestamp is outside the allowed window");
  }
  if (options.secrets.length === 0) throw new WebhookVerificationError("no webhook secret is configured");
  const payload = signedPayload(timestamp, body);
  const matched: Uint8Array<ArrayBuffer>[] = [];
  for (const secret of options.secrets) {
    const key = await hmacKey(secret);
    for (const signature of signatures) {
      if (matched.includes(signature) || !(await crypto.subtle.verify("HMAC", key, signature, payload))) continue;
      matched.push(signature);
      if (signatures.length === 1) return { ...parsed, matched };
    }
  }
  if (matched.length > 0) return { ...parsed, matched };
  throw new WebhookVerificationError("layercode-signature does not match");
}

/**
 * Signs a body as Layercode does, for clients and tests.
 * @returns the `layercode-signature` header value.
 */
export async function signWebhook(
  body: Uint8Array | string,
  secret: string,
  timestampSeconds: number = Math.floor(Date.now() / 1000),
): Promise<string> {
  const timestamp = String(timestampSeconds);
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), signedPayload(timestamp, body));
  return `t=${timestamp},v1=${toHex(mac)}`;
}
