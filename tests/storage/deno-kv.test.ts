/// <reference lib="deno.unstable" />
// Deno KV: the real engine (SQLite-backed, as in `deno run`), opened in memory in this process. Registered only under
// Deno: Deno KV is part of the Deno runtime and Bun has no implementation of it, so the Bun run has nothing to test.
import { after } from "node:test";
import { createDenoKvStore } from "../../storage/deno-kv.ts";
import { storageSuite } from "../support/store-suite.ts";

if (typeof Deno !== "undefined") {
  const kv = await Deno.openKv(":memory:");
  after(() => kv.close());

  storageSuite({
    name: "deno-kv",
    atomic: true,
    // The store checks the expiry it records against its clock: Deno KV's own `expireIn` is applied lazily.
    expiry: "clock",
    create: (clock) => createDenoKvStore({ kv, now: clock.now }),
    down: async () => {
      const closed = await Deno.openKv(":memory:");
      closed.close();
      return createDenoKvStore({ kv: closed });
    },
  });
}
