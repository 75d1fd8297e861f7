// The test support's process signals (tests/support/child.ts): every runner must be able to kill what it started.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { sendSignal, within } from "./support/child.ts";

test("a child that ignores SIGTERM is killed by a later SIGKILL, under every runner", async () => {
  const child = spawn("sh", ["-c", "trap '' TERM; echo ready; sleep 30"], { stdio: ["ignore", "pipe", "ignore"] });
  const exited = new Promise<string | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve) => child.stdout!.once("data", () => resolve()));
  sendSignal(child, "SIGTERM");
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(child.exitCode, null, "the trap kept it alive");
  sendSignal(child, "SIGKILL");
  await within(exited.then(() => {}), 10_000, () => "SIGKILL after SIGTERM did not reach the child");
  assert.equal(await exited, "SIGKILL");
  sendSignal(child, "SIGKILL"); // a child that is gone is not an error
});

test("within() rejects with its message when the wait outlasts its bound", async () => {
  await assert.rejects(within(new Promise(() => {}), 50, () => "too late"), /too late/);
  await within(Promise.resolve(), 50, () => "unused");
});
