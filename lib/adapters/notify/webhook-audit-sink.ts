import { AdapterError, messageOf } from '../../errors.ts';
import type { AuditSinkSpec } from '../../model/audit-sink.ts';
import { isSecretRef } from '../../model/common.ts';
import type { AuditSink } from '../../ports/audit-sink.ts';
import type { SecretResolver } from '../../ports/secret-resolver.ts';
import type { AuditRecord } from '../../ports/state-store.ts';
import { auditBody } from '../common/audit-body.ts';
import { redactSecrets, SIGNATURE_HEADER, signBody } from '../common/webhook-signature.ts';

/**
 * POSTs each record to a URL, signed with HMAC-SHA256 over the raw body when a secret is configured
 * (`x-landscape-signature-256: sha256=<hex>`). `x-landscape-delivery` is the record id, stable across
 * retries, so receivers can deduplicate.
 */
export class WebhookAuditSink implements AuditSink {
  readonly name: string;
  readonly #spec: Extract<AuditSinkSpec, { type: 'webhook' }>;
  readonly #secrets: SecretResolver;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(
    name: string,
    spec: Extract<AuditSinkSpec, { type: 'webhook' }>,
    deps: { secrets: SecretResolver; fetch?: typeof fetch; timeoutMs?: number },
  ) {
    this.name = name;
    this.#spec = spec;
    this.#secrets = deps.secrets;
    this.#fetch = deps.fetch ?? fetch;
    this.#timeoutMs = deps.timeoutMs ?? 10_000;
  }

  async deliver(record: AuditRecord): Promise<void> {
    const body = auditBody(record);
    const secret = this.#spec.secret ? await this.#secrets.resolve(this.#spec.secret) : undefined;
    const url = isSecretRef(this.#spec.url) ? await this.#secrets.resolve(this.#spec.url) : this.#spec.url;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'landscape',
      'x-landscape-event': 'audit',
      'x-landscape-delivery': record.id,
    };
    if (secret !== undefined) headers[SIGNATURE_HEADER] = signBody(secret, body);
    const what = `audit record "${record.id}" to AuditSink "${this.name}" (webhook)`;
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const safe = redactSecrets(messageOf(error), [secret ?? '', isSecretRef(this.#spec.url) ? url : '']);
      throw new AdapterError(`sending ${what}: ${safe}`, { cause: new Error(safe), retryable: true });
    }
    await response.body?.cancel().catch(() => undefined);
    if (!response.ok) {
      throw new AdapterError(`sending ${what}: HTTP ${response.status}`, {
        retryable: response.status === 429 || response.status >= 500,
      });
    }
  }

  async close(): Promise<void> {}
}
