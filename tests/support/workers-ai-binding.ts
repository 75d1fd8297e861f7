/**
 * A test double of the Workers AI binding (`env.AI`): nothing real can run Workers AI here (miniflare proxies the
 * `ai` binding to Cloudflare's API, which needs an account and the internet), so this double plays the binding's
 * documented behaviour as faithfully as the tests need it:
 *
 * - `run(model, { messages, tools, stream: true })` resolves to a `ReadableStream<Uint8Array>` of SSE events, one
 *   `data: {"response":"<delta>","p":"…"}` per delta, tool calls as top-level `tool_calls` pieces (the first with
 *   `id`, `type` and `function.name`, then `function.arguments` in pieces, then a piece of nulls that closes them, as
 *   Workers AI streams them), a last event with `usage` (`prompt_tokens`, `completion_tokens`, `total_tokens`), then
 *   `data: [DONE]`.
 * - An upstream failure rejects `run()` with an error whose message holds the upstream's text (as
 *   `InferenceUpstreamError` does); a connection lost mid-stream errors the stream.
 * - Cancelling the stream is how a Worker releases the request; the double records it as the request's `closed`.
 */
import { echo, FAKE_USAGE, type ModelFake, type ModelRequest, UPSTREAM_ERROR_TEXT } from "./model-fake.ts";
import { readChatMessages } from "./openai-server.ts";

/** The double: the binding to hand the provider, and the fake's scripting interface. */
export interface WorkersAiDouble extends ModelFake {
  binding: { run(model: string, inputs: Record<string, unknown>): Promise<unknown> };
  /** The models asked for. */
  models: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Creates the binding double. */
export function workersAiDouble(): WorkersAiDouble {
  const double: WorkersAiDouble = {
    requests: [],
    models: [],
    respond: echo,
    close: () => Promise.resolve(),
    binding: {
      async run(model, inputs) {
        double.models.push(model);
        let finish!: (early: boolean) => void;
        const closed = new Promise<boolean>((resolve) => (finish = resolve));
        const request: ModelRequest = {
          apiKey: undefined,
          ...readChatMessages(inputs.messages as never, inputs.tools as never),
          closed,
        };
        double.requests.push(request);
        const script = double.respond(request);
        // A hung model: the binding hands over its stream at once, and nothing ever comes through it.
        if (script.hang) return new ReadableStream<Uint8Array>({ cancel: () => finish(true) });
        if (script.errorStatus) {
          finish(false);
          throw new Error(`${script.errorStatus}: ${UPSTREAM_ERROR_TEXT}`);
        }
        if (inputs.stream !== true) throw new Error("this double only streams");
        const encoder = new TextEncoder();
        let cancelled = false;
        const event = (data: unknown) =>
          encoder.encode(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
        return new ReadableStream<Uint8Array>({
          async start(controller) {
            const deltas = script.deltas ?? [];
            for (let i = 0; i < deltas.length; i++) {
              if (script.cutAfter !== undefined && i >= script.cutAfter) {
                await sleep(50);
                controller.error(new Error("Network connection lost."));
                finish(true);
                return;
              }
              if (script.delayMs) await sleep(script.delayMs);
              if (cancelled) return;
              controller.enqueue(event({ response: deltas[i], p: "abcdefghijklmnop".slice(0, i % 16) }));
            }
            if (script.malformed) controller.enqueue(encoder.encode("data: {not json\n\n"));
            for (const [index, call] of (script.functionCalls ?? []).entries()) {
              const id = `chatcmpl-tool-${index}`;
              controller.enqueue(
                event({ response: "", tool_calls: [{ id, type: "function", index, function: { name: call.name } }] }),
              );
              const json = JSON.stringify(call.args);
              for (let at = 0; at < json.length; at += 5) {
                controller.enqueue(
                  event({ response: "", tool_calls: [{ index, function: { arguments: json.slice(at, at + 5) } }] }),
                );
              }
              controller.enqueue(
                event({
                  response: "",
                  tool_calls: [{ id: null, type: null, index, function: { name: null, arguments: null } }],
                }),
              );
            }
            const usage = {
              prompt_tokens: FAKE_USAGE.inputTokens,
              completion_tokens: FAKE_USAGE.outputTokens,
              total_tokens: 8,
            };
            controller.enqueue(event({ response: "", usage }));
            controller.enqueue(event("[DONE]"));
            controller.close();
            finish(false);
          },
          cancel() {
            cancelled = true;
            finish(true);
          },
        });
      },
    },
  };
  return double;
}
