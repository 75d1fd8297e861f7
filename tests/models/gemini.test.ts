// Gemini through the real @google/generative-ai SDK, against the local server speaking streamGenerateContent?alt=sse.
import { createGeminiModel } from "../../llm/gemini.ts";
import { geminiFake, startGeminiServer } from "../support/gemini-server.ts";
import { modelSuite } from "../support/model-suite.ts";

const KEY = "test-gemini-key-9f3a";

modelSuite({
  name: "gemini",
  secrets: [KEY],
  expected: { provider: "gemini", model: "gemini-2.5-flash-lite" },
  async start() {
    const server = await startGeminiServer();
    return { fake: geminiFake(server), model: createGeminiModel({ apiKey: KEY, baseUrl: server.baseUrl }) };
  },
});
