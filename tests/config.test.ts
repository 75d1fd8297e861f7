// Reading the configuration: every value checked, every problem named by its variable, and nothing that looks like a
// credential quoted back.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isLoopbackHost, readConfig } from "../lib/config.ts";
import { ConfigError } from "../lib/errors.ts";
import { createLogger, errorFields, isLogLevel } from "../lib/log.ts";

function problem(env: Record<string, string>): string {
  try {
    readConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message;
  }
  assert.fail(`readConfig accepted ${JSON.stringify(env)}`);
}

test("readConfig() refuses an empty LAYERCODE_WEBHOOK_SECRET or an empty piece of one, naming the variable", () => {
  for (const value of ["", "  ", ",,", "a,,b", "a,", ",a", "a, ,b"]) {
    assert.match(
      problem({ LAYERCODE_WEBHOOK_SECRET: value }),
      /^LAYERCODE_WEBHOOK_SECRET (is set but empty|holds an empty secret)/,
      JSON.stringify(value),
    );
  }
  assert.deepEqual(readConfig({ LAYERCODE_WEBHOOK_SECRET: " new , old " }).webhookSecrets, ["new", "old"]);
  assert.deepEqual(readConfig({}).webhookSecrets, [], "unset is no secret (production refuses every webhook)");
});

test("LOG_LEVEL names are looked up as own names: constructor, __proto__ and toString are refused", () => {
  for (const level of ["constructor", "__proto__", "toString", "hasOwnProperty", "verbose"]) {
    assert.equal(isLogLevel(level), false, level);
    assert.match(problem({ LOG_LEVEL: level }), /^LOG_LEVEL must be debug, info, warn, error or silent/, level);
  }
  assert.equal(readConfig({ LOG_LEVEL: " WARN " }).logLevel, "warn");
  const lines: string[] = [];
  const original = console.log;
  console.log = (line: string) => lines.push(line);
  try {
    createLogger("constructor" as never).debug("hidden"); // a level that slipped through logs from info up
  } finally {
    console.log = original;
  }
  assert.deepEqual(lines, []);
});

test("readConfig() reports every invalid setting at once, without the credentials their values hold", () => {
  const message = problem({
    LAYERCODE_WEBHOOK_SECRET: "whsec_1,,",
    GEMINI_BASE_URL: "http://gw:99999/v1?token=sk-live-0123456789",
    LAYERCODE_API_URL: "ftp//user:hunter2@host",
    MODEL_TIMEOUT_MS: "soon",
  });
  assert.match(message, /^4 settings are invalid: /);
  for (const name of ["LAYERCODE_WEBHOOK_SECRET", "GEMINI_BASE_URL", "LAYERCODE_API_URL", "MODEL_TIMEOUT_MS"]) {
    assert.ok(message.includes(name), name);
  }
  for (const secret of ["sk-live", "0123456789", "hunter2", "whsec_1"]) {
    assert.ok(!message.includes(secret), `${secret} in ${message}`);
  }
  assert.match(message, /gw:99999\/v1\?\[redacted\]/, "enough of the value is left to find the mistake");
});

test("errorFields() logs a ConfigError's message with credentials redacted", () => {
  const fields = errorFields(new ConfigError("REDIS_URL was refused: redis://default:s3cretpass@db:6379 token=abc123"));
  assert.equal(fields.errorClass, "ConfigError");
  assert.doesNotMatch(String(fields.error), /s3cretpass|abc123/);
  assert.match(String(fields.error), /REDIS_URL was refused/);
});

test("isLoopbackHost() accepts localhost, *.localhost, 127.0.0.0/8 and [::1] only, ports or not", () => {
  for (
    const host of [
      "localhost",
      "localhost:8787",
      "LOCALHOST.",
      "app.localhost:3000",
      "127.0.0.1",
      "127.9.8.7:80",
      "[::1]",
      "[::1]:8787",
    ]
  ) {
    assert.equal(isLoopbackHost(host), true, host);
  }
  for (
    const host of [
      "my-agent.example.com",
      "localhost.evil.example",
      "127.0.0.1.nip.io",
      "evil@localhost",
      "localhost/x",
      "10.0.0.1",
      "0.0.0.0",
      "[::]",
      "[::2]:8787",
      "",
      "local host",
    ]
  ) {
    assert.equal(isLoopbackHost(host), false, host);
  }
});
