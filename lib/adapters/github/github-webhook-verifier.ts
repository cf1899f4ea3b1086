import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookVerifier } from '../../ports/webhook-verifier.ts';

const SIGNATURE = /^sha256=[0-9a-f]{64}$/;

/**
 * Verifies GitHub's `X-Hub-Signature-256` (`sha256=<hex>` of HMAC-SHA256 with the webhook secret), in constant
 * time, over the body's exact bytes: no decoding happens before the check, so a body that is not UTF-8, or is
 * empty, is judged by its signature like any other (and refused as a bad request only once it is verified).
 * The secret is mandatory: constructing without one throws, so a misconfigured function fails at cold start
 * instead of accepting unsigned deliveries (Atlantis's optional secret is the anti-pattern, ADR 0011).
 */
export class GitHubWebhookVerifier implements WebhookVerifier {
  readonly #secret: string;

  constructor(secret: string) {
    if (!secret || secret.trim().length < 16) {
      throw new Error('the GitHub webhook secret is required and must be at least 16 characters');
    }
    this.#secret = secret;
  }

  async verify(rawBody: Uint8Array, signature: string): Promise<boolean> {
    if (!SIGNATURE.test(signature)) return false;
    const expected = Buffer.from(this.#hex(rawBody), 'hex');
    return timingSafeEqual(expected, Buffer.from(signature.slice('sha256='.length), 'hex'));
  }

  /** Signs a payload as GitHub would (tests, `landscape serve` self-checks). */
  async sign(rawBody: string | Uint8Array): Promise<string> {
    return `sha256=${this.#hex(rawBody)}`;
  }

  #hex(body: string | Uint8Array): string {
    return createHmac('sha256', this.#secret).update(body).digest('hex');
  }
}
