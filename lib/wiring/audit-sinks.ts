import { S3Client } from '@aws-sdk/client-s3';
import { S3AuditSink } from '../adapters/aws/s3-audit-sink.ts';
import { KafkaAuditSink } from '../adapters/kafka/kafka-audit-sink.ts';
import { WebhookAuditSink } from '../adapters/notify/webhook-audit-sink.ts';
import { assertNever, ReconcilerError } from '../errors.ts';
import type { AuditSinkSpec } from '../model/audit-sink.ts';
import type { KafkaConnection } from '../model/environment.ts';
import type { AuditSink } from '../ports/audit-sink.ts';
import { type SecretResolver, secretsForEnvironment } from '../ports/secret-resolver.ts';
import type { AuditRecord, StateStore } from '../ports/state-store.ts';
import { type AuditFanout, fanoutTo, withPublishedAuditFanout } from '../report/audit-fanout.ts';

export interface AuditFanoutDeps {
  secrets: SecretResolver;
  /** The environment's Kafka connection; required when a sink has `type: kafka`. */
  kafka?: KafkaConnection;
  /** An S3 client (or a factory), injectable for tests and other regions; default `new S3Client({})`. */
  s3?: S3Client | (() => S3Client);
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** The sink of one AuditSink document, by its type: HMAC-signed webhook, Kafka topic (JSON) or S3 object. */
export function createAuditSink(
  { name, spec }: { name: string; spec: AuditSinkSpec },
  deps: AuditFanoutDeps & { s3Client: () => S3Client },
): AuditSink {
  switch (spec.type) {
    case 'webhook':
      return new WebhookAuditSink(name, spec, {
        secrets: deps.secrets,
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
        ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
      });
    case 'kafka':
      if (!deps.kafka) {
        throw new ReconcilerError(
          'InvalidConfig',
          `AuditSink "${name}" writes to Kafka, but no Kafka connection was given`,
        );
      }
      return new KafkaAuditSink(name, spec, { connection: deps.kafka, secrets: deps.secrets });
    case 's3':
      return new S3AuditSink(name, spec, { s3: deps.s3Client });
    default:
      return assertNever(spec, 'AuditSink type');
  }
}

/**
 * Builds the audit fan-out for an environment's AuditSinks (lib/report/audit-fanout.ts delivers).
 *
 * @example
 * const fanout = createAuditFanout(auditSinksOf(config), { secrets, kafka: config.environment.spec.kafka });
 * const store = withAuditFanout(fileStore, fanout, { onError: (e) => log.warn('audit delivery failed', { error: e.message }) });
 */
export function createAuditFanout(
  sinks: readonly { name: string; spec: AuditSinkSpec }[],
  deps: AuditFanoutDeps,
): AuditFanout {
  let s3: S3Client | undefined;
  const s3Client = () => {
    if (typeof deps.s3 === 'function') return deps.s3();
    s3 ??= deps.s3 ?? new S3Client({});
    return s3;
  };
  return fanoutTo(sinks.map((sink) => createAuditSink(sink, { ...deps, s3Client })));
}

/**
 * A StateStore whose audit records also reach the AuditSinks of their environment's last published config
 * (see `withPublishedAuditFanout`). Every writer of audit records (CLI, serve, the apply, drift and api
 * functions) wraps its store with this.
 */
export function withPublishedAuditSinks(
  store: StateStore,
  deps: Omit<AuditFanoutDeps, 'kafka'>,
  options: { onError?: (error: Error, record: AuditRecord) => void } = {},
): StateStore {
  return withPublishedAuditFanout(
    store,
    (sinks, kafka, environment) =>
      createAuditFanout(sinks, {
        ...deps,
        secrets: secretsForEnvironment(deps.secrets, environment),
        ...(kafka ? { kafka } : {}),
      }),
    options,
  );
}
