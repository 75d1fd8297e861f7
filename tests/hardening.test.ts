// Bad input in-process (the same cases as tests/e2e-hardening.test.ts, against `createApp` directly), and the
// CORS policy of /authorize origin by origin.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createApp } from "../app/create-app.ts";
import { inProcessBadInputSuite } from "./support/bad-input-suite.ts";
import { guardUnhandledRejections } from "./support/unhandled.ts";
import { SECRET } from "./support/webhooks.ts";

const guard = guardUnhandledRejections();
inProcessBadInputSuite(guard);

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

async function allowedOrigin(
  app: ReturnType<typeof createApp>,
  origin: string,
  base = "http://agent.test",
): Promise<string | null> {
  const preflight = await app.fetch(
    new Request(`${base}/authorize`, {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    }),
  );
  await preflight.body?.cancel();
  return preflight.headers.get("access-control-allow-origin");
}

test("/authorize CORS in production: no origin at all by default, localhost included", async () => {
  const app = createApp({ env: { LAYERCODE_WEBHOOK_SECRET: SECRET }, logger: quiet });
  for (const origin of ["https://app.example.com", "http://localhost:3000", "http://127.0.0.1:8787", "null", "*"]) {
    assert.equal(await allowedOrigin(app, origin), null, origin);
  }
});

test("/authorize CORS in production: exactly the configured origins, not their look-alikes", async () => {
  const app = createApp({
    env: { LAYERCODE_WEBHOOK_SECRET: SECRET, CORS_ORIGINS: "https://app.example.com, https://admin.example.com" },
    logger: quiet,
  });
  assert.equal(await allowedOrigin(app, "https://app.example.com"), "https://app.example.com");
  assert.equal(await allowedOrigin(app, "https://admin.example.com"), "https://admin.example.com");
  for (
    const origin of [
      "http://app.example.com",
      "https://app.example.com:8443",
      "https://app.example.com.evil.com",
      "https://evilapp.example.com",
      "https://APP.EXAMPLE.COM.evil",
      "http://localhost:3000",
      "null",
    ]
  ) {
    assert.equal(await allowedOrigin(app, origin), null, origin);
  }
});

test("/authorize CORS in development: localhost on any port, nothing that merely starts like it", async () => {
  const app = createApp({ env: {}, development: true, logger: quiet });
  const local = "http://127.0.0.1:8787"; // development mode answers loopback hosts only
  for (const origin of ["http://localhost:3000", "http://127.0.0.1:5173", "http://[::1]:8080", "https://localhost"]) {
    assert.equal(await allowedOrigin(app, origin, local), origin, origin);
  }
  for (
    const origin of [
      "http://localhost.evil.com",
      "http://localhost:3000.evil.com",
      "http://127.0.0.1.nip.io",
      "http://evil.com/http://localhost",
      "http://localhost@evil.com",
      "null",
    ]
  ) {
    assert.equal(await allowedOrigin(app, origin, local), null, origin);
  }
});
