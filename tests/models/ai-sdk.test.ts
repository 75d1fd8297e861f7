// The AI SDK adapter with a real AI SDK provider package: `ai`'s streamText driving @ai-sdk/openai-compatible, which
// talks over HTTP to the local server speaking Chat Completions SSE (tests/support/openai-server.ts).
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { createAiSdkModel } from "../../llm/ai-sdk.ts";
import { modelSuite } from "../support/model-suite.ts";
import { startOpenAiServer } from "../support/openai-server.ts";

const KEY = "sk-test-ai-sdk-key-77b2";

modelSuite({
  name: "ai-sdk",
  secrets: [KEY],
  expected: { provider: "ai-sdk", model: "fake.chat/gpt-4.1-mini" },
  async start() {
    const fake = await startOpenAiServer();
    const provider = createOpenAICompatible({ name: "fake", apiKey: KEY, baseURL: fake.baseUrl, includeUsage: true });
    return { fake, model: createAiSdkModel(provider("gpt-4.1-mini")) };
  },
});
