// unstorage, with two of its real drivers that need no network: memory, and fs-lite (files in a temporary folder).
// unstorage has no compare-and-set, so the concurrency cases do not apply (see the store's documentation); expiry is
// checked against the suite's clock (neither driver expires keys by itself).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createStorage } from "unstorage";
import fsLiteDriver from "unstorage/drivers/fs-lite";
import httpDriver from "unstorage/drivers/http";
import memoryDriver from "unstorage/drivers/memory";
import { StoreError } from "../../storage/errors.ts";
import { createUnstorageStore } from "../../storage/unstorage.ts";
import { freePort } from "../support/redis.ts";
import { storageSuite } from "../support/store-suite.ts";

const folder = mkdtempSync(join(tmpdir(), "unstorage-store-"));
after(() => rmSync(folder, { recursive: true, force: true }));

storageSuite({
  name: "unstorage-memory",
  atomic: false,
  expiry: "clock",
  create: (clock) =>
    createUnstorageStore({ storage: createStorage({ driver: memoryDriver() }), name: "unstorage-memory", now: clock.now }),
});

storageSuite({
  name: "unstorage-fs",
  atomic: false,
  expiry: "clock",
  create: (clock) =>
    createUnstorageStore({
      storage: createStorage({ driver: fsLiteDriver({ base: join(folder, "data") }) }),
      name: "unstorage-fs",
      now: clock.now,
    }),
  // No `down` case for the file system: the driver reads an unreachable folder as empty. The http driver's is below.
});

test("unstorage: a driver whose server is unreachable fails every operation with a StoreError", async () => {
  const port = await freePort();
  const store = createUnstorageStore({ storage: createStorage({ driver: httpDriver({ base: `http://127.0.0.1:${port}` }) }) });
  const failed = (operation: string) => (error: unknown) =>
    error instanceof StoreError && error.store === "unstorage" && error.operation === operation &&
    error.message.startsWith(`unstorage store: ${operation} failed: `);
  await assert.rejects(store.get("conv:x"), failed("get"));
  await assert.rejects(store.set("conv:x", "v", { expected: null, ttlSeconds: 60 }), failed("set"));
  await assert.rejects(store.delete("conv:x"), failed("delete"));
});

test("unstorage: a file-system store whose folder cannot be created fails to write with a StoreError", async () => {
  const file = join(folder, "not-a-folder");
  writeFileSync(file, "");
  const store = createUnstorageStore({ storage: createStorage({ driver: fsLiteDriver({ base: join(file, "data") }) }) });
  await assert.rejects(store.set("conv:x", "v", { expected: null, ttlSeconds: 60 }), StoreError);
});

test("unstorage: the store's name defaults to unstorage, and a conversation is one item with its version and expiry", async () => {
  const storage = createStorage({ driver: memoryDriver() });
  const store = createUnstorageStore({ storage });
  assert.equal(store.name, "unstorage");
  const version = await store.set("conv:c1", "text", { expected: null, ttlSeconds: 60 });
  const item = await storage.getItem<{ version: string; expiresAt: number; value: string }>("conv:c1");
  assert.equal(item?.version, version);
  assert.equal(item?.value, "text");
  assert.ok(Math.abs(item!.expiresAt - (Date.now() + 60_000)) < 5_000);
});
