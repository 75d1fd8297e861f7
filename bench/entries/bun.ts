/** Serves one variant of bench/servers on Bun: `bun bench/entries/bun.ts <variant>`; prints `{"port":N}`. */
const variant = process.argv[2];
const { default: handler } = await import(`../servers/${variant}.ts`);
const server = Bun.serve({ hostname: "127.0.0.1", port: 0, idleTimeout: 0, fetch: handler.fetch });
console.log(JSON.stringify({ port: server.port, runtime: `bun ${Bun.version}` }));
// Exit cleanly on SIGTERM, so that `--cpu-prof` writes its profile.
process.on("SIGTERM", () => process.exit(0));
