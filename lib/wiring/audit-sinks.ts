import type { S3Client } from '@aws-sdk/client-s3';
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

/**
 * An AuditSink whose adapter is imported at its first delivery: the Kafka client and the S3 client take most of
 * a CLI process's start-up, and most environments have neither sink (issue: the CLI starts instantly).
 */
function lazySink(name: string, load: () => Promise<AuditSink>): AuditSink {
  let sink: Promise<AuditSink> | undefined;
  return {
    name,
    deliver: async (record) => {
      sink ??= load();
      return (await sink).deliver(record);
    },
    close: async () => {
      if (sink) await (await sink).close();
    },
  };
}

/** The sink of one AuditSink document, by its type: HMAC-signed webhook, Kafka topic (JSON) or S3 object. */
export function createAuditSink(
  { name, spec }: { name: string; spec: AuditSinkSpec },
  deps: AuditFanoutDeps & { s3Client: () => Promise<S3Client> },
): AuditSink {
  switch (spec.type) {
    case 'webhook':
      return new WebhookAuditSink(name, spec, {
        secrets: deps.secrets,
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
        ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
      });
    case 'kafka': {
      const connection = deps.kafka;
      if (!connection) {
        throw new ReconcilerError(
          'InvalidConfig',
          `AuditSink "${name}" writes to Kafka, but no Kafka connection was given`,
        );
      }
      return lazySink(name, async () => {
        const { KafkaAuditSink } = await import('../adapters/kafka/kafka-audit-sink.ts');
        return new KafkaAuditSink(name, spec, { connection, secrets: deps.secrets });
      });
    }
    case 's3':
      return lazySink(name, async () => {
        const { S3AuditSink } = await import('../adapters/aws/s3-audit-sink.ts');
        const client = await deps.s3Client();
        return new S3AuditSink(name, spec, { s3: () => client });
      });
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
  let s3: Promise<S3Client> | undefined;
  const s3Client = async () => {
    if (typeof deps.s3 === 'function') return deps.s3();
    s3 ??= deps.s3 ? Promise.resolve(deps.s3) : import('@aws-sdk/client-s3').then(({ S3Client }) => new S3Client({}));
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
