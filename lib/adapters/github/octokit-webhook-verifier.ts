import { Webhooks } from '@octokit/webhooks';

/**
 * Verifies `X-Hub-Signature-256` with @octokit/webhooks (constant-time HMAC-SHA256 over the raw body).
 * The secret is mandatory: constructing without one throws, so a misconfigured function fails at cold start
 * instead of accepting unsigned deliveries (Atlantis's optional secret is the anti-pattern, ADR 0011).
 * Structurally a `WebhookVerifier` (lib/pipeline/receive-webhook.ts).
 */
export class OctokitWebhookVerifier {
  readonly #webhooks: Webhooks;

  constructor(secret: string) {
    if (!secret || secret.trim().length < 16) {
      throw new Error('the GitHub webhook secret is required and must be at least 16 characters');
    }
    this.#webhooks = new Webhooks({ secret });
  }

  async verify(rawBody: string, signature: string): Promise<boolean> {
    if (!signature.startsWith('sha256=')) return false;
    return this.#webhooks.verify(rawBody, signature);
  }

  /** Signs a payload as GitHub would (tests, `landscape serve` self-checks). */
  async sign(rawBody: string): Promise<string> {
    return this.#webhooks.sign(rawBody);
  }
}
