import type { ConversationStore } from "../storage/types.ts";
import type { WebhookEvent } from "./events.ts";
import { toHex, type VerifiedSignature } from "./signature.ts";
import { encodeFrame, SSE_HEADERS } from "./sse.ts";

/** Options of {@link createReplayGuard}. */
export interface ReplayGuardOptions {
  /** Where seen webhooks are remembered: the app's store works, each webhook adds one small key. */
  store: ConversationStore;
  /**
   * How long a webhook is remembered. A timestamp may lie up to the signature tolerance in the future and stays
   * valid up to the tolerance after it, so twice the tolerance covers a signature's whole life.
   * @default 600
   */
  ttlSeconds?: number;
  /** Key prefix. @default "replay:" */
  prefix?: string;
  /** Told when the store fails; the webhook is then processed (the guard fails open). */
  onError?: (error: unknown) => void;
}

/** Remembers verified webhooks, so that a replay inside the signature's time window is not processed twice. */
export interface ReplayGuard {
  /**
   * Records a webhook whose signature verified; resolves `true` when the same signed payload was recorded before.
   * `signature` is what `verifySignature()` returned: an unverified request must never fill the store.
   */
  seen(signature: VerifiedSignature): Promise<boolean>;
}

/**
 * Replay protection beyond the signature's time window, on any {@link ConversationStore}.
 *
 * A webhook is keyed by its verified signature: the HMAC-SHA256 of what was signed (`<t>.<raw body>`) under the
 * secret, which nobody without the secret can compute for another payload, and which rewriting the header (spaces,
 * case, order, another `v1=` that does not verify) leaves as it is. A header with several matching `v1` signatures
 * records each, in a fixed order, so that a copy carrying only some of them is still a replay. A key is written only
 * if absent (`expected: null`); on a store whose `set` is not atomic (`atomic: false`, e.g. Cloudflare KV) it is read
 * first, which stops replays but not two copies racing in the same instant.
 * @example
 * const replay = createReplayGuard({ store, ttlSeconds: 2 * config.signatureToleranceSeconds });
 * const signature = await verifySignature(request.headers.get("layercode-signature"), body, { secrets });
 * if (await replay.seen(signature)) return replayAnswer(event);
 */
export function createReplayGuard(options: ReplayGuardOptions): ReplayGuard {
  const { store } = options;
  const ttlSeconds = options.ttlSeconds ?? 600;
  const prefix = options.prefix ?? "replay:";
  return {
    async seen({ matched }) {
      const keys = [...new Set(matched.map((mac) => prefix + toHex(mac)))].sort();
      try {
        for (const key of keys) {
          if (!store.atomic && (await store.get(key)) !== null) return true;
          if ((await store.set(key, "1", { expected: null, ttlSeconds })) === null) return true;
        }
        return false;
      } catch (error) {
        options.onError?.(error);
        return false;
      }
    },
  };
}

/**
 * The answer to a replayed webhook: a turn that ends at once for `message` and `session.start` (Layercode sees
 * a well-formed, silent turn), a 200 acknowledgement for the other types. Nothing runs: no model, no hook, no write.
 */
export function replayAnswer(event: WebhookEvent): Response {
  if (event.type === "message" || event.type === "session.start") {
    const end = encodeFrame({ type: "response.end", turn_id: event.turnId });
    return new Response(new TextDecoder().decode(end), { headers: SSE_HEADERS });
  }
  return Response.json({ received: true, replayed: true });
}
