/**
 * A Layercode simulator, for trying and testing an agent backend without Layercode: it signs webhooks as Layercode
 * does, keeps one conversation across turns, barges in, sends `data` and `session.end`, and reads the SSE frames of
 * each reply. Web standards only. `scripts/chat.ts` (`npm run chat`) is its terminal front end.
 *
 * @example
 * import { createChatClient } from "./client/mod.ts"; // the package's "./client" export
 * const chat = createChatClient({ url: "http://127.0.0.1:8787/agent", secret });
 * for await (const frame of chat.say("Hello")) console.log(frame);
 * await chat.end();
 *
 * @module
 */
export {
  type ChatClient,
  type ChatClientOptions,
  type ChatTurn,
  countWords,
  createChatClient,
  interruptionContext,
  type InterruptionContextBody,
  type JsonAnswer,
  type SignedWebhook,
  signedWebhook,
  type TranscriptLine,
} from "./chat-client.ts";
export { readFrames } from "./read-frames.ts";
export type { ResponseFrame } from "../lib/sse.ts";
