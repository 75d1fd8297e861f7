/** What an error says, for a message of our own: its `message` (else its name), or the thrown value as text. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}

/** An error that becomes an HTTP response with `status` and a JSON body `{ error: message }`. */
export class HttpError extends Error {
  override name = "HttpError";
  /** HTTP status sent to the client. */
  readonly status: number;

  constructor(status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
  }
}

/** The webhook's `layercode-signature` did not verify: answered with 401, nothing else runs. */
export class WebhookVerificationError extends HttpError {
  override name = "WebhookVerificationError";

  constructor(message: string, options?: { cause?: unknown }) {
    super(401, message, options);
  }
}

/** A setting is missing or invalid; the message names the variable and the fix. */
export class ConfigError extends Error {
  override name = "ConfigError";
}
