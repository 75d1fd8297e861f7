import assert from "node:assert/strict";
import { test } from "node:test";
import { redactCredentials, redactSecret } from "../lib/redact.ts";

test("redactCredentials() removes query strings, URL passwords, token pairs, bearer values and prefixed keys", () => {
  const text = [
    'GEMINI_BASE_URL must be an absolute URL (got "http://gw:99999/v1?token=sk-live-0123456789")',
    "redis://default:hunter2@db:6379",
    "password=letmein api_key: k-123",
    "Authorization: Bearer abc.def.ghi",
    "sk-live-abcdef123 sk_test_abcdef123 whsec_abcdef123 AIzaSyA0123456789abcdefghijk",
    "opaque 0123456789abcdef0123456789abcdef0123",
  ].join("\n");
  const out = redactCredentials(text);
  for (
    const secret of [
      "sk-live",
      "0123456789",
      "hunter2",
      "letmein",
      "k-123",
      "abc.def",
      "sk_test",
      "whsec_",
      "AIza",
      "0123456789abcdef",
    ]
  ) {
    assert.ok(!out.includes(secret), `${secret} in:\n${out}`);
  }
  for (
    const kept of [
      "GEMINI_BASE_URL must be an absolute URL",
      "http://gw:99999/v1?",
      "db:6379",
      "https://generativelanguage.googleapis.com",
    ]
  ) {
    assert.ok(redactCredentials(`${text}\n${kept}`).includes(kept), kept);
  }
});

test("redactSecret() removes a key in any case, URL-encoded, and base64-encoded at any alignment", () => {
  const key = "lc_key_Ab0123456789+/xyz";
  const echoes = [
    key,
    key.toLowerCase(),
    key.toUpperCase(),
    encodeURIComponent(key),
    btoa(key),
    btoa(`x${key}`),
    btoa(`Bearer ${key}`),
    btoa(`Bearer ${key}`).replaceAll("+", "-").replaceAll("/", "_"),
  ];
  for (const echo of echoes) {
    const out = redactSecret(`upstream said: ${echo}!`, key);
    assert.match(out, /\[redacted\]/, echo);
    assert.ok(!out.includes(key) && !out.toLowerCase().includes(key.toLowerCase()), out);
    assert.ok(!out.includes(btoa(key).slice(4, -4)), `a base64 core is left in ${out}`);
  }
  assert.equal(redactSecret("nothing here", key), "nothing here");
  assert.equal(redactSecret("nothing here", ""), "nothing here");
});
