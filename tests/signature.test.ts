import assert from "node:assert/strict";
import { test } from "node:test";
import { WebhookVerificationError } from "../lib/errors.ts";
import { parseSignatureHeader, signedPayload, signWebhook, toHex, verifySignature } from "../lib/signature.ts";

const VECTOR = {
  secret: "test_secret",
  body: '{"type":"message","session_id":"s1","conversation_id":"c1","turn_id":"t1","text":"hi"}',
  header: "t=1700000000,v1=46a688c195a474d2870e35486324069f0ffcef66ba77241a891092304dc23f1d",
  now: () => 1_700_000_000_000,
};

async function rejects(promise: Promise<unknown>, message: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof WebhookVerificationError, `expected WebhookVerificationError, got ${error}`);
    assert.equal(error.status, 401);
    assert.match(error.message, message);
    return true;
  });
}

test("verifySignature() accepts the known-answer vector of PROTOCOL.md", async () => {
  await verifySignature(VECTOR.header, VECTOR.body, { secrets: [VECTOR.secret], now: VECTOR.now });
  await verifySignature(VECTOR.header, new TextEncoder().encode(VECTOR.body), {
    secrets: ["x", VECTOR.secret],
    now: VECTOR.now,
  });
});

test("signWebhook() reproduces the known-answer vector", async () => {
  assert.equal(await signWebhook(VECTOR.body, VECTOR.secret, 1_700_000_000), VECTOR.header);
});

test("verifySignature() rejects a body changed by one byte after signing", async () => {
  await rejects(
    verifySignature(VECTOR.header, VECTOR.body.replace('"hi"', '"hI"'), { secrets: [VECTOR.secret], now: VECTOR.now }),
    /does not match/,
  );
});

test("verifySignature() rejects the wrong secret", async () => {
  await rejects(verifySignature(VECTOR.header, VECTOR.body, { secrets: ["other"], now: VECTOR.now }), /does not match/);
});

test("verifySignature() rejects a stale and a future timestamp, and accepts the edges of the window", async () => {
  const secrets = [VECTOR.secret];
  await rejects(verifySignature(VECTOR.header, VECTOR.body, { secrets, now: () => 1_700_000_301_000 }), /window/);
  await rejects(verifySignature(VECTOR.header, VECTOR.body, { secrets, now: () => 1_699_999_699_000 }), /window/);
  await verifySignature(VECTOR.header, VECTOR.body, { secrets, now: () => 1_700_000_300_000 });
  await verifySignature(VECTOR.header, VECTOR.body, { secrets, now: () => 1_699_999_700_000 });
  await rejects(
    verifySignature(VECTOR.header, VECTOR.body, { secrets, now: () => 1_700_000_060_000, toleranceSeconds: 30 }),
    /window/,
  );
});

test("verifySignature() rejects missing and malformed headers", async () => {
  const options = { secrets: [VECTOR.secret], now: VECTOR.now };
  const v1 = VECTOR.header.split(",")[1];
  await rejects(verifySignature(null, VECTOR.body, options), /missing/);
  await rejects(verifySignature("", VECTOR.body, options), /missing/);
  await rejects(verifySignature(v1, VECTOR.body, options), /no timestamp/);
  await rejects(verifySignature("t=1700000000", VECTOR.body, options), /no valid v1/);
  await rejects(verifySignature("t=1700000000,v1=zz", VECTOR.body, options), /no valid v1/);
  await rejects(verifySignature(`t=abc,${v1}`, VECTOR.body, options), /malformed/);
  await rejects(verifySignature(`t=-1700000000,${v1}`, VECTOR.body, options), /malformed/);
  await rejects(verifySignature(`t=99999999999999999999,${v1}`, VECTOR.body, options), /malformed/);
  await rejects(verifySignature(`t=1700000000,t=1700000000,${v1}`, VECTOR.body, options), /malformed/);
  await rejects(verifySignature(`garbage`, VECTOR.body, options), /malformed/);
  await rejects(verifySignature(`t=1700000000,${v1},x`.padEnd(5000, "x"), VECTOR.body, options), /malformed/);
});

test("verifySignature() accepts any of several v1 values and any of several secrets (rotation)", async () => {
  const [t, v1] = VECTOR.header.split(",");
  const wrong = "v1=" + "0".repeat(64);
  await verifySignature(`${t},${wrong},${v1}`, VECTOR.body, { secrets: [VECTOR.secret], now: VECTOR.now });
  const newHeader = await signWebhook(VECTOR.body, "new_secret", 1_700_000_000);
  await verifySignature(newHeader, VECTOR.body, { secrets: [VECTOR.secret, "new_secret"], now: VECTOR.now });
  await rejects(
    verifySignature(newHeader, VECTOR.body, { secrets: [VECTOR.secret], now: VECTOR.now }),
    /does not match/,
  );
});

test("verifySignature() tells which v1 values matched: the one, or every one when the header has several", async () => {
  const [t, v1] = VECTOR.header.split(",");
  const other = (await signWebhook(VECTOR.body, "new_secret", 1_700_000_000)).split(",")[1];
  const wrong = "v1=" + "0".repeat(64);
  const hex = async (header: string, secrets: string[]) =>
    (await verifySignature(header, VECTOR.body, { secrets, now: VECTOR.now })).matched.map(toHex);
  assert.deepEqual(await hex(VECTOR.header, [VECTOR.secret]), [v1.slice(3)]);
  assert.deepEqual(await hex(`${t},${wrong},${v1}`, [VECTOR.secret]), [v1.slice(3)], "not the one that does not verify");
  assert.deepEqual(await hex(`${t},${other},${wrong},${v1}`, [VECTOR.secret, "new_secret"]), [v1.slice(3), other.slice(3)]);
  assert.deepEqual(await hex(`${t},${other},${v1}`, ["new_secret"]), [other.slice(3)]);
});

test("verifySignature() rejects everything when no secret is configured", async () => {
  await rejects(verifySignature(VECTOR.header, VECTOR.body, { secrets: [], now: VECTOR.now }), /no webhook secret/);
});

test("parseSignatureHeader() tolerates spaces and unknown schemes", () => {
  const parsed = parseSignatureHeader(` t=1700000000 , v0=abc, ${VECTOR.header.split(",")[1]} `);
  assert.equal(parsed.timestamp, "1700000000");
  assert.equal(parsed.signatures.length, 1);
});

test("a failed key import is not cached: the next webhook imports the secret again", async () => {
  // WebCrypto failing once cannot be caused for real: importKey is made to reject a single time.
  const subtle = crypto.subtle as { importKey: SubtleCrypto["importKey"] };
  const original = subtle.importKey;
  const secret = `whsec_flaky_${crypto.randomUUID()}`;
  const body = '{"type":"ping"}';
  const header = await (async () => {
    const key = await original.call(crypto.subtle, "raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    const t = Math.floor(Date.now() / 1000);
    const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${t}.${body}`));
    return `t=${t},v1=${[...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
  })();
  let failures = 1;
  subtle.importKey = function (...args: Parameters<SubtleCrypto["importKey"]>) {
    if (failures-- > 0) return Promise.reject(new DOMException("transient", "OperationError"));
    return original.apply(crypto.subtle, args);
  } as SubtleCrypto["importKey"];
  try {
    await assert.rejects(verifySignature(header, body, { secrets: [secret] }), /transient/);
    await verifySignature(header, body, { secrets: [secret] });
  } finally {
    subtle.importKey = original;
  }
});

test("signedPayload() is the timestamp, a dot and the body's bytes; toHex() writes two lower-case digits a byte", () => {
  const body = '{"text":"héllo 👋"}';
  const encode = (text: string) => new TextEncoder().encode(text);
  assert.deepEqual(signedPayload("1700000000", body), encode(`1700000000.${body}`));
  assert.deepEqual(signedPayload("1700000000", encode(body)), encode(`1700000000.${body}`));
  assert.deepEqual(signedPayload("-1", body), encode(`-1.${body}`), "any other timestamp text is encoded as such");
  assert.equal(toHex(new Uint8Array([0, 9, 15, 16, 160, 255])), "00090f10a0ff");
  assert.equal(toHex(new Uint8Array([1, 2, 254]).buffer), "0102fe");
});
