/**
 * Removing what looks like a credential from text that may be logged or answered: configuration errors quote the
 * value they refused, and an upstream may echo the key it was sent.
 */

const REDACTED = "[redacted]";

const CREDENTIAL_PATTERNS: [RegExp, string][] = [
  // user:password@ in a URL, well formed or not
  [/(^|[\s"'(/])[^\s/?#@"'()]+@/g, `$1${REDACTED}@`],
  // a query string, whatever it holds
  [/\?[^\s"'#]*/g, `?${REDACTED}`],
  [/\b(bearer|basic)\s+[^\s"',;]+/gi, `$1 ${REDACTED}`],
  // name=value and name: value where the name says secret
  [
    /\b([\w-]*(?:token|secret|passw(?:or)?d|pwd|key|auth|signature|session)[\w-]*\s*[=:]\s*)[^\s&"',;)]+/gi,
    `$1${REDACTED}`,
  ],
  // prefixed keys: sk-…, sk_live_…, whsec_…, Google's AIza…
  [/\b(?:sk|pk|rk|whsec|csk|lc|xox[abprs])[-_][\w-]{6,}/gi, REDACTED],
  [/\bAIza[\w-]{20,}/g, REDACTED],
  // long opaque runs with a digit: hex, base64, JWT pieces
  [/\b(?=[\w-]*\d)[\w-]{32,}/g, REDACTED],
  [/(?=[A-Za-z0-9+/]*[+/\d])[A-Za-z0-9+/]{40,}={0,2}/g, REDACTED],
];

/**
 * Text with everything that looks like a credential replaced by `[redacted]`: query strings, passwords in URLs,
 * `token=…`-style pairs, bearer values, prefixed keys (`sk-…`, `whsec_…`, `AIza…`) and long opaque strings.
 * @example
 * redactCredentials('GEMINI_BASE_URL must be an absolute URL (got "gw?token=sk-live-123")');
 * // 'GEMINI_BASE_URL must be an absolute URL (got "gw?[redacted]")'
 */
export function redactCredentials(text: string): string {
  let out = text;
  for (const [pattern, replacement] of CREDENTIAL_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

function base64(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * The forms in which a secret may come back from an upstream: as is, and its base64 (standard and URL-safe) at each
 * of the three byte alignments it can take inside a longer base64 text. Case is handled by {@link redactSecret}.
 */
function secretForms(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret)]);
  const length = new TextEncoder().encode(secret).byteLength;
  for (let offset = 0; offset < 3; offset++) {
    const encoded = base64("\0".repeat(offset) + secret);
    // Only the characters that depend on the secret's bytes alone.
    const core = encoded.slice(Math.ceil((offset * 4) / 3), Math.floor((offset + length) / 3) * 4);
    if (core.length >= 8) {
      forms.add(core);
      forms.add(core.replaceAll("+", "-").replaceAll("/", "_"));
    }
  }
  return [...forms].filter((form) => form.length > 0);
}

/**
 * `text` without `secret`: in any letter case, URL-encoded, or base64-encoded (standard or URL-safe).
 * @example
 * redactSecret("bad key LC_KEY_123", "lc_key_123"); // "bad key [redacted]"
 */
export function redactSecret(text: string, secret: string): string {
  if (!secret) return text;
  let out = text;
  for (const form of secretForms(secret)) {
    const escaped = form.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    // The plain and URL-encoded forms in any case; base64 is case-sensitive.
    const flags = form === secret || form === encodeURIComponent(secret) ? "gi" : "g";
    out = out.replace(new RegExp(escaped, flags), REDACTED);
  }
  return out;
}
