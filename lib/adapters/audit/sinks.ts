import { setTimeout as sleep } from 'node:timers/promises';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Producer } from '@platformatic/kafka';
import { AdapterError, messageOf } from '../../errors.ts';
import type { AuditSinkSpec } from '../../model/audit-sink.ts';
import { isSecretRef } from '../../model/common.ts';
import type { KafkaConnection } from '../../model/environment.ts';
import type { AuditSink } from '../../ports/audit-sink.ts';
import type { SecretResolver } from '../../ports/secret-resolver.ts';
import type { AuditRecord } from '../../ports/state-store.ts';
import { redactSecrets, SIGNATURE_HEADER, signBody } from '../common/webhook-signature.ts';
import { buildAdminOptions } from '../kafka/connection.ts';
import { toAdapterError } from '../kafka/kafka-errors.ts';

/** The exact bytes every sink sends or stores for a record: the record as one JSON object. */
export function auditBody(record: AuditRecord): string {
  return JSON.stringify(record);
}

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

/** How long a record waits for its topic to appear before it is kept for the next attempt (about 2 s). */
const MISSING_TOPIC_WAITS_MS = [200, 400, 600, 800];

/** The client's "unknown topic" (from its metadata lookup) or the broker's UNKNOWN_TOPIC / LEADER_NOT_AVAILABLE. */
function isMissingTopic(error: unknown): boolean {
  const seen = new Set<unknown>();
  const walk = (node: unknown): boolean => {
    if (node === null || typeof node !== 'object' || seen.has(node)) return false;
    seen.add(node);
    const e = node as { code?: unknown; apiId?: unknown; message?: unknown; errors?: unknown; cause?: unknown };
    if (e.apiId === 'UNKNOWN_TOPIC_OR_PARTITION' || e.apiId === 'LEADER_NOT_AVAILABLE') return true;
    if (e.code === 'PLT_KFK_USER' && typeof e.message === 'string' && /unknown topic/i.test(e.message)) return true;
    return (Array.isArray(e.errors) && e.errors.some(walk)) || walk(e.cause);
  };
  return walk(error);
}

/** Produces each record as JSON to a topic (key: environment, so one environment's records stay ordered). */
export class KafkaAuditSink implements AuditSink {
  readonly name: string;
  readonly #topic: string;
  readonly #connection: KafkaConnection;
  readonly #secrets: SecretResolver;
  #producer: Promise<Producer> | undefined;

  constructor(
    name: string,
    spec: Extract<AuditSinkSpec, { type: 'kafka' }>,
    deps: { connection: KafkaConnection; secrets: SecretResolver },
  ) {
    this.name = name;
    this.#topic = spec.topic;
    this.#connection = deps.connection;
    this.#secrets = deps.secrets;
  }

  #open(): Promise<Producer> {
    this.#producer ??= buildAdminOptions(this.#connection, this.#secrets).then(
      (options) =>
        new Producer({
          ...options,
          clientId: `${this.#connection.clientId}-audit`,
          // Plain acks=all producer: idempotence would need the IDEMPOTENT_WRITE cluster ACL.
          idempotent: false,
          acks: -1,
        }),
    );
    return this.#producer;
  }

  /**
   * A topic that does not exist yet is worth waiting for: the AuditSink's own topic is often declared in the
   * same config, and the apply that creates it runs after the plan's record is written (auto-create is off on
   * a well-run cluster). A short wait covers a topic created a moment ago (metadata not yet everywhere); past
   * it the failure is retryable, so the record is kept and resent before the environment's next record.
   */
  async deliver(record: AuditRecord): Promise<void> {
    const producer = await this.#open();
    const what = `producing audit record "${record.id}" to topic "${this.#topic}" (AuditSink "${this.name}")`;
    for (let attempt = 0; ; attempt++) {
      try {
        await producer.send({
          messages: [
            {
              topic: this.#topic,
              key: Buffer.from(record.environment),
              value: Buffer.from(auditBody(record)),
              headers: new Map([[Buffer.from('landscape-audit-id'), Buffer.from(record.id)]]),
            },
          ],
        });
        return;
      } catch (error) {
        if (!isMissingTopic(error)) throw toAdapterError(what, error);
        if (attempt < MISSING_TOPIC_WAITS_MS.length) {
          await sleep(MISSING_TOPIC_WAITS_MS[attempt] ?? 0);
          continue;
        }
        throw new AdapterError(`${what}: the topic does not exist (yet)`, { cause: error, retryable: true });
      }
    }
  }

  async close(): Promise<void> {
    const producer = this.#producer;
    this.#producer = undefined;
    if (producer) await (await producer).close().catch(() => undefined);
  }
}

/** Stores each record as one object: `<prefix><environment>/<yyyy>/<mm>/<dd>/<at>-<id>.json`. */
export class S3AuditSink implements AuditSink {
  readonly name: string;
  readonly #spec: Extract<AuditSinkSpec, { type: 's3' }>;
  readonly #client: () => S3Client;

  constructor(name: string, spec: Extract<AuditSinkSpec, { type: 's3' }>, deps: { s3: () => S3Client }) {
    this.name = name;
    this.#spec = spec;
    this.#client = deps.s3;
  }

  static keyOf(prefix: string, record: AuditRecord): string {
    const at = new Date(record.at);
    const day = Number.isNaN(at.getTime()) ? 'unknown' : at.toISOString().slice(0, 10).replaceAll('-', '/');
    const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');
    return `${prefix}${safe(record.environment)}/${day}/${safe(record.at)}-${safe(record.id)}.json`;
  }

  async deliver(record: AuditRecord): Promise<void> {
    const key = S3AuditSink.keyOf(this.#spec.prefix, record);
    try {
      await this.#client().send(
        new PutObjectCommand({
          Bucket: this.#spec.bucket,
          Key: key,
          Body: auditBody(record),
          ContentType: 'application/json',
        }),
      );
    } catch (error) {
      throw new AdapterError(
        `storing audit record "${record.id}" in s3://${this.#spec.bucket}/${key}: ${messageOf(error)}`,
        {
          cause: error,
          retryable: true,
        },
      );
    }
  }

  async close(): Promise<void> {}
}
