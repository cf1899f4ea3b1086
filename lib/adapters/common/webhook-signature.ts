import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header every signed Landscape webhook (alerts, drift, audit) carries. */
export const SIGNATURE_HEADER = 'x-landscape-signature-256';

/**
 * `sha256=<hex>` of HMAC-SHA256(secret, body), over the exact bytes sent, the way GitHub signs its webhooks.
 * Receivers recompute it over the raw body before parsing.
 *
 * @example
 * const body = JSON.stringify(payload);
 * headers[SIGNATURE_HEADER] = signBody(secret, body);
 */
export function signBody(secret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Constant-time check of a received signature header against the raw body. */
export function verifySignature(secret: string, body: string | Uint8Array, header: string | undefined): boolean {
  if (header === undefined) return false;
  const expected = Buffer.from(signBody(secret, body));
  const received = Buffer.from(header);
  return expected.length === received.length && timingSafeEqual(expected, received);
}

/** Replaces every occurrence of the given secret values (non-empty) in a text: for error messages. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('[redacted]');
  return out;
}
