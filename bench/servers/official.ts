/**
 * The official way, as Layercode's Hono example backend does it: `c.req.json()`, `verifySignature` from
 * `@layercode/node-server-sdk` over the re-serialized body, an unbounded in-memory history
 * (`sessionMessages[id]`), and `streamResponse` writing the model's stream. Same scripted model as ours.
 */
import { streamResponse, verifySignature } from "@layercode/node-server-sdk";
import { Hono } from "hono";
import { SECRET, scriptedModel } from "../fixture.mjs";

type Chunk = string | { data: unknown };
interface Message {
  role: "user" | "assistant";
  content: string;
}

const sessionMessages: Record<string, Message[]> = {};
const app = new Hono();

app.post("/agent", async (c) => {
  const requestBody = await c.req.json();
  const signature = c.req.header("layercode-signature") || "";
  const isValid = verifySignature({ payload: JSON.stringify(requestBody), signature, secret: SECRET });
  if (!isValid) return c.json({ error: "Invalid signature" }, 401);
  const { conversation_id, text } = requestBody;
  const messages = sessionMessages[conversation_id] || [];
  messages.push({ role: "user", content: text });

  return streamResponse(requestBody, async ({ stream }) => {
    let reply = "";
    for await (const chunk of scriptedModel.stream() as AsyncIterable<Chunk>) {
      if (typeof chunk === "string") {
        reply += chunk;
        stream.tts(chunk);
      } else {
        stream.data(chunk.data);
      }
    }
    messages.push({ role: "assistant", content: reply });
    sessionMessages[conversation_id] = messages;
    stream.end();
  });
});

export default { fetch: app.fetch };
