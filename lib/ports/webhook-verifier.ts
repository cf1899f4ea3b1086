/** Checks `X-Hub-Signature-256` over the exact raw bytes of the body (HMAC-SHA256 with the webhook secret). */
export interface WebhookVerifier {
  verify(rawBody: Uint8Array, signature: string): Promise<boolean>;
}
