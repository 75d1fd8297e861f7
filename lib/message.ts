/**
 * One message of a conversation: what history stores and models read. A leaf module (it imports nothing), so
 * that llm/ and lib/ share the type without depending on each other.
 * @module
 */
/** One message of a conversation. */
export interface Message {
  role: "user" | "assistant";
  text: string;
  /** The Layercode turn it belongs to: a user message and the reply to it share one. */
  turnId: string;
  /** Unix milliseconds. */
  at: number;
}
