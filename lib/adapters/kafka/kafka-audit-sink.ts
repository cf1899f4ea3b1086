import { setTimeout as sleep } from 'node:timers/promises';
import { Producer } from '@platformatic/kafka';
import { AdapterError } from '../../errors.ts';
import type { AuditSinkSpec } from '../../model/audit-sink.ts';
import type { KafkaConnection } from '../../model/environment.ts';
import type { AuditSink } from '../../ports/audit-sink.ts';
import type { SecretResolver } from '../../ports/secret-resolver.ts';
import type { AuditRecord } from '../../ports/state-store.ts';
import { auditBody } from '../common/audit-body.ts';
import { buildAdminOptions } from './connection.ts';
import { toAdapterError } from './kafka-errors.ts';

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
