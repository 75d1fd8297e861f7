/**
 * Signature verification cost per request with mitata, for 1 KB and 64 KB bodies: ours (`verifySignature`, WebCrypto,
 * key import cached) against the official SDK's (`node:crypto` HMAC and `===`). Run by bench/run.mjs on Bun and Deno.
 */
import { createHmac } from "node:crypto";
import { measure } from "mitata";
import { verifySignature as sdkVerify } from "@layercode/node-server-sdk";
import { verifySignature } from "../lib/signature.ts";
import { SECRET } from "./fixture.mjs";
import { emit, runtimeVersion } from "./runtime.ts";

const encoder = new TextEncoder();
const sizes = { "1 KB": 1024, "64 KB": 65536 };
const results = [];

for (const [label, bytes] of Object.entries(sizes)) {
  const text = JSON.stringify({ type: "message", turn_id: "t", text: "x".repeat(bytes - 60) }).padEnd(bytes, " ");
  const body = encoder.encode(text);
  const t = Math.floor(Date.now() / 1000);
  const header = `t=${t},v1=${createHmac("sha256", SECRET).update(`${t}.${text}`).digest("hex")}`;
  const options = { secrets: [SECRET] };
  await verifySignature(header, body, options); // throws if the fixture were wrong; also caches the key

  const ours = await measure(async () => {
    await verifySignature(header, body, options);
  });
  if (!sdkVerify({ payload: text, signature: header, secret: SECRET })) throw new Error("SDK refused the fixture");
  const sdk = await measure(() => sdkVerify({ payload: text, signature: header, secret: SECRET }));
  // Attribution: the bare WebCrypto call that ours makes, on a pre-built payload and an imported key.
  const key = await crypto.subtle.importKey("raw", encoder.encode(SECRET), { name: "HMAC", hash: "SHA-256" }, false, [
    "verify",
  ]);
  const payload = encoder.encode(`${t}.${text}`);
  const mac = new Uint8Array(createHmac("sha256", SECRET).update(payload).digest());
  const bare = await measure(async () => {
    await crypto.subtle.verify("HMAC", key, mac, payload);
  });
  const rows = [["ours (WebCrypto)", ours], ["bare crypto.subtle.verify", bare], ["official SDK (node:crypto)", sdk]];
  for (const [name, stats] of rows as [string, typeof ours][]) {
    results.push({ name, size: label, bytes, avgNs: stats.avg, p50Ns: stats.p50, p99Ns: stats.p99 });
  }
}

emit({ runtime: runtimeVersion, results });
