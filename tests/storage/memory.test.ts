// The in-process store, the default: its own engine, with the suite's clock.
import { createMemoryStore } from "../../storage/memory.ts";
import { storageSuite } from "../support/store-suite.ts";

storageSuite({
  name: "memory",
  atomic: true,
  expiry: "clock",
  create: (clock) => createMemoryStore({ now: clock.now }),
  // No `down` case: an in-process Map cannot be unreachable.
});
