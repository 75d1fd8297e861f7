// The Workers AI Worker (`wrangler deploy platforms/cloudflare-workers-ai.ts --dry-run`: what wrangler uploads) in
// real workerd through miniflare, with no model key and an `AI` binding: MODEL_PROVIDER left unset, the binding alone
// picks Workers AI. The binding is a double (miniflare forwards the real `ai` binding to Cloudflare, which cannot be
// reached here): a second Worker whose RPC `run()` answers as the binding does, a ReadableStream of
// `data: {"response":…}` events, tool calls in pieces, usage, then `data: [DONE]`.
// Registered under Bun only: workerd is the same whichever runner starts it.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Miniflare } from "miniflare";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildWorker } from "../support/wrangler-build.mjs";
import { currentRuntime } from "../support/server-process.ts";
import { frames, messageBody, SECRET, spoken, uid, webhook } from "../support/webhooks.ts";

/** The binding double: echoes how many messages it was sent, calls the template's get_current_time tool when asked. */
const AI_DOUBLE = `
import { WorkerEntrypoint } from "cloudflare:workers";
const encoder = new TextEncoder();
const event = (data) => encoder.encode("data: " + (typeof data === "string" ? data : JSON.stringify(data)) + "\\n\\n");
export default class AiDouble extends WorkerEntrypoint {
  async run(model, inputs) {
    if (inputs.stream !== true) throw new Error("this double only streams");
    const said = inputs.messages.filter((m) => m.role === "user" || (m.role === "assistant" && !m.tool_calls));
    const last = said.at(-1)?.content ?? "";
    const result = inputs.messages.find((m) => m.role === "tool");
    const events = [];
    if (/time/.test(last) && !result && inputs.tools?.some((t) => t.function.name === "get_current_time")) {
      events.push({ response: "", tool_calls: [{ id: "call-1", type: "function", index: 0, function: { name: "get_current_time" } }] });
      events.push({ response: "", tool_calls: [{ index: 0, function: { arguments: "{}" } }] });
    } else {
      const text = result ? "The tool answered " + (JSON.parse(result.content).result ? "a result" : "an error") + "."
        : model + " heard " + said.length + " messages";
      for (const word of text.split(/(?<= )/)) events.push({ response: word });
    }
    events.push({ response: "", usage: { prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 } });
    return new ReadableStream({
      async start(controller) {
        for (const e of events) {
          controller.enqueue(event(e));
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        controller.enqueue(event("[DONE]"));
        controller.close();
      },
    });
  }
}`;

if (currentRuntime() === "bun") {
  let mf: Miniflare;
  let url: string;
  const outdir = mkdtempSync(join(tmpdir(), "agent-worker-ai-"));
  before(async () => {
    const bundle = await buildWorker({ outdir, script: "platforms/cloudflare-workers-ai.ts" });
    mf = new Miniflare({
      workers: [
        {
          name: "agent",
          modules: true,
          scriptPath: bundle.path,
          modulesRoot: outdir,
          compatibilityDate: "2026-04-01",
          kvNamespaces: ["SESSIONS"],
          bindings: { LAYERCODE_WEBHOOK_SECRET: SECRET, WORKERS_AI_MODEL: "@cf/test/double" },
          serviceBindings: { AI: "ai-double" },
        },
        { name: "ai-double", modules: true, script: AI_DOUBLE, compatibilityDate: "2026-04-01" },
      ],
    });
    url = (await mf.ready).origin;
  });
  after(async () => {
    await mf?.dispose();
    rmSync(outdir, { recursive: true, force: true });
  });

  const turn = async (conversation: string, text: string) => {
    const body = messageBody(conversation, text);
    const request = await webhook(`${url}/agent`, body);
    return await frames(
      await mf.dispatchFetch(request.url, {
        method: "POST",
        headers: request.headers,
        body: await request.text(),
      }) as unknown as Response,
    );
  };

  test("[workerd] with only an AI binding, the Workers AI Worker answers through it, history on the second turn", async () => {
    const health = await (await mf.dispatchFetch(`${url}/health`)).json() as { model: string };
    assert.equal(health.model, "workers-ai/@cf/test/double");
    const conversation = uid("conv");
    const first = await turn(conversation, "Hello");
    assert.equal(spoken(first), "@cf/test/double heard 1 messages");
    assert.deepEqual(first.at(-1)?.type, "response.end");
    const second = await turn(conversation, "Again");
    assert.equal(spoken(second), "@cf/test/double heard 3 messages");
  });

  test("[workerd] Workers AI calls the template's get_current_time tool and continues with its result", async () => {
    const all = await turn(uid("conv"), "What time is it?");
    const data = all.filter((f) => f.type === "response.data").map((f) =>
      (f as { content: Record<string, unknown> }).content
    );
    assert.deepEqual(data.map((d) => [d.tool, d.isThinking]), [["get_current_time", true], [
      "get_current_time",
      false,
    ]]);
    assert.ok("result" in data[1], "the tool ran and its result went to the browser");
    assert.match(spoken(all), /The tool answered a result\.$/);
    assert.equal(all.at(-1)?.type, "response.end");
  });
}
