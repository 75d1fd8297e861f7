// Workers AI through its binding. Nothing real can serve the `AI` binding offline (miniflare forwards it to
// Cloudflare), so the provider talks to a double faithful to the binding's stream format
// (tests/support/workers-ai-binding.ts documents what it plays).
import assert from "node:assert/strict";
import { test } from "node:test";
import { createWorkersAiModel } from "../../llm/workers-ai.ts";
import { modelSuite } from "../support/model-suite.ts";
import { workersAiDouble } from "../support/workers-ai-binding.ts";

modelSuite({
  name: "workers-ai",
  expected: { provider: "workers-ai", model: "@cf/meta/llama-3.3-70b-instruct-fp8-fast" },
  start() {
    const fake = workersAiDouble();
    return Promise.resolve({ fake, model: createWorkersAiModel({ ai: fake.binding }) });
  },
});

test("createWorkersAiModel() runs the configured model with stream: true", async () => {
  const double = workersAiDouble();
  const model = createWorkersAiModel({ ai: double.binding, model: "@cf/google/gemma-3-12b-it" });
  const chunks = [];
  const messages = [{ role: "user" as const, text: "Hi", turnId: "t1", at: 0 }];
  for await (const chunk of model.stream({ system: "Be brief.", messages, signal: new AbortController().signal })) {
    chunks.push(chunk);
  }
  assert.deepEqual(double.models, ["@cf/google/gemma-3-12b-it"]);
  assert.deepEqual(chunks, ["You ", "said ", "Hi", { usage: { inputTokens: 5, outputTokens: 3 } }]);
});

test("createWorkersAiModel() reads Workers AI's OpenAI-style chunks too (choices[0].delta)", async () => {
  const encoder = new TextEncoder();
  const events = [
    { choices: [{ index: 0, delta: { content: "Hello " } }] },
    { choices: [{ index: 0, delta: { content: "there." }, finish_reason: "stop" }] },
    { choices: [], usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 } },
  ];
  const ai = {
    run: () =>
      Promise.resolve(
        new ReadableStream({
          start(controller) {
            for (const event of events) controller.enqueue(encoder.encode(`data: ${JSON.stringify(event)}\n\n`));
            controller.enqueue(encoder.encode("data: [DONE]\n\n"));
            controller.close();
          },
        }),
      ),
  };
  const chunks = [];
  const messages = [{ role: "user" as const, text: "Hi", turnId: "t1", at: 0 }];
  for await (
    const chunk of createWorkersAiModel({ ai }).stream({ system: "", messages, signal: new AbortController().signal })
  ) {
    chunks.push(chunk);
  }
  assert.deepEqual(chunks, ["Hello ", "there.", { usage: { inputTokens: 7, outputTokens: 2 } }]);
});
