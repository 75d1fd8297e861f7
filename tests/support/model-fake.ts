/**
 * What every fake model upstream has in common, whatever its wire format (Gemini's SSE, Chat Completions SSE, the
 * Workers AI binding's stream): the test scripts each answer the same way, and reads each request the same way.
 */

/** How the fake model answers one request. */
export interface ModelScript {
  /** Text deltas, one event each. */
  deltas?: string[];
  /** Wait before each delta. */
  delayMs?: number;
  /** Answer this HTTP error status (the binding: reject) with {@link UPSTREAM_ERROR_TEXT} in the error. */
  errorStatus?: number;
  /** Never answer. */
  hang?: boolean;
  /** Drop the connection after this many deltas. */
  cutAfter?: number;
  /** Send an event that is not JSON after the deltas. */
  malformed?: boolean;
  /** Ask for these function calls after the deltas. */
  functionCalls?: { name: string; args: Record<string, unknown> }[];
}

/** One request the fake model received, read the same way for every wire format. */
export interface ModelRequest {
  /** The credential it carried (API key or bearer token), if any. */
  apiKey: string | undefined;
  /** The system prompt. */
  system: string;
  /** The conversation's text messages, oldest first: `[role, text]`, role `user` or `assistant`. */
  turns: [string, string][];
  /** The tools it declared. */
  toolNames: string[];
  /** The tool results it sent back, by tool name. */
  toolResults: { name: string; response: unknown }[];
  /** Resolves when the answer ends: `true` when the client went away before it was complete. */
  closed: Promise<boolean>;
  /** Text deltas written to the client so far (the fakes that stream over HTTP count them). */
  deltasSent?: number;
}

/** A fake model upstream a test scripts. */
export interface ModelFake {
  requests: ModelRequest[];
  respond: (request: ModelRequest) => ModelScript;
  close(): Promise<void>;
}

/** The text every fake puts in its errors: it must never reach a log or a caller. */
export const UPSTREAM_ERROR_TEXT = "scripted failure";

/** Tokens every fake reports for each request. */
export const FAKE_USAGE = { inputTokens: 5, outputTokens: 3 };

/** Words of a reply as deltas: "a b c" → ["a ", "b ", "c"]. */
export function words(text: string): string[] {
  return text.split(/(?<= )/);
}

/** The default answer: "You said <the last user message>". */
export function echo(request: ModelRequest): ModelScript {
  return { deltas: words(`You said ${request.turns.findLast(([role]) => role === "user")?.[1] ?? ""}`) };
}
