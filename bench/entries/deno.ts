/** Serves one variant of bench/servers on Deno: `deno run --allow-all bench/entries/deno.ts <variant>`; prints `{"port":N}`. */
const variant = Deno.args[0];
const { default: handler } = await import(`../servers/${variant}.ts`);
Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => console.log(JSON.stringify({ port, runtime: `deno ${Deno.version.deno}` })),
}, handler.fetch);
