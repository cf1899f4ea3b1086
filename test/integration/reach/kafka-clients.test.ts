import { readFileSync } from 'node:fs';
import { AclOperations } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaAuditSink } from '../../../lib/adapters/kafka/kafka-audit-sink.ts';
import { openKafkaMonitorReader } from '../../../lib/adapters/kafka/monitor-reader.ts';
import { openTopicSampler } from '../../../lib/adapters/kafka/topic-sampler.ts';
import { type KafkaConnection, KafkaConnectionSchema } from '../../../lib/model/connections/kafka.ts';
import type { AuditRecord } from '../../../lib/ports/state-store.ts';
import { cleanupPrefix, rawAdmin } from '../../../scripts/services/kafka-broker.ts';
import { envSecretResolver, uniquePrefix } from '../../support/kafka.ts';
import { env, kafkaAuthUp, notUpReason } from '../auth/support.ts';
import { grantTopicPrefix, revokeTopicPrefix } from './kafka-support.ts';

/**
 * Every Kafka client Landscape opens besides the provider's admin (ADR 0040: one connection builder): the Kafka
 * audit sink's producer, the topic sampler and the monitor reader, each over the mTLS, OAUTHBEARER and MSK IAM
 * listeners. The principal may write and read one topic, granted by the SCRAM admin.
 */
describe.skipIf(!kafkaAuthUp)(
  `Kafka clients over each authentication${kafkaAuthUp ? '' : ` (${notUpReason})`}`,
  { timeout: 120_000 },
  () => {
    const prefix = uniquePrefix('it-reach-clients');
    const ref = (name: string) => ({ secretRef: { provider: 'env' as const, name } });
    const listeners: {
      name: string;
      principal: () => string;
      connection: () => KafkaConnection;
      secrets: () => Record<string, string>;
    }[] = [
      {
        name: 'mtls',
        principal: () => env('KAFKA_MTLS_PRINCIPAL'),
        connection: () =>
          KafkaConnectionSchema.parse({
            bootstrapServers: [env('KAFKA_MTLS_BOOTSTRAP')],
            tls: {
              ca: readFileSync(env('AUTH_CA_FILE'), 'utf8'),
              clientCertificate: ref('CLIENTS_CERT'),
              clientKey: ref('CLIENTS_KEY'),
            },
          }),
        secrets: () => ({
          CLIENTS_CERT: readFileSync(env('KAFKA_MTLS_CERT_FILE'), 'utf8'),
          CLIENTS_KEY: readFileSync(env('KAFKA_MTLS_KEY_FILE'), 'utf8'),
        }),
      },
      {
        name: 'oauth',
        principal: () => env('OAUTH_PRINCIPAL'),
        connection: () =>
          KafkaConnectionSchema.parse({
            bootstrapServers: [env('KAFKA_OAUTH_BOOTSTRAP')],
            sasl: {
              mechanism: 'oauthbearer',
              tokenEndpoint: env('OAUTH_TOKEN_URL'),
              clientId: env('OAUTH_CLIENT_ID'),
              clientSecret: ref('CLIENTS_OAUTH_SECRET'),
              audience: env('OAUTH_AUDIENCE'),
            },
          }),
        secrets: () => ({ CLIENTS_OAUTH_SECRET: env('OAUTH_CLIENT_SECRET') }),
      },
      {
        name: 'iam',
        principal: () => `User:${env('AUTH_AWS_ARN')}`,
        connection: () =>
          KafkaConnectionSchema.parse({
            bootstrapServers: [env('KAFKA_IAM_BOOTSTRAP')],
            sasl: { mechanism: 'aws-msk-iam', region: env('MSK_IAM_REGION') },
            tls: { ca: readFileSync(env('AUTH_CA_FILE'), 'utf8') },
          }),
        secrets: () => ({}),
      },
    ];
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

    beforeAll(async () => {
      // The default credential chain reads the environment first, as a function's runtime provides it.
      process.env.AWS_ACCESS_KEY_ID = env('AUTH_AWS_ACCESS_KEY_ID');
      process.env.AWS_SECRET_ACCESS_KEY = env('AUTH_AWS_SECRET_ACCESS_KEY');
      const admin = rawAdmin('landscape-it-reach-clients');
      try {
        await admin.createTopics({ topics: listeners.map((l) => `${prefix}${l.name}`), partitions: 1, replicas: 1 });
      } finally {
        await admin.close();
      }
      for (const listener of listeners) {
        await grantTopicPrefix(listener.principal(), `${prefix}${listener.name}`, [
          AclOperations.DESCRIBE,
          AclOperations.WRITE,
          AclOperations.READ,
        ]);
      }
    });
    afterAll(async () => {
      process.env.AWS_ACCESS_KEY_ID = saved.id;
      process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
      for (const listener of listeners) await revokeTopicPrefix(listener.principal(), `${prefix}${listener.name}`);
      await cleanupPrefix(prefix);
    });

    it.each(listeners.map((l) => [l.name, l] as const))(
      'over %s: the audit sink produces, the sampler reads it back, the monitor reader sees the end offset',
      async (name, listener) => {
        const topic = `${prefix}${name}`;
        const secrets = envSecretResolver(listener.secrets());
        const connection = listener.connection();
        const record: AuditRecord = {
          id: `reach-${name}`,
          at: new Date().toISOString(),
          type: 'plan',
          environment: `reach-${name}`,
          actor: 'it',
          outcome: 'Changes',
        };

        const sink = new KafkaAuditSink('reach', { type: 'kafka', topic }, { connection, secrets });
        try {
          await sink.deliver(record);
        } finally {
          await sink.close();
        }
        const sampler = await openTopicSampler({ kafka: connection }, secrets);
        const sampled = await sampler.recent(topic, 10).finally(() => sampler.close());
        const monitor = await openKafkaMonitorReader(connection, secrets);
        const snapshot = await monitor
          .read({ groups: [], endOffsetTopics: [topic], replicationTopics: [topic] })
          .finally(() => monitor.close());

        expect(sampled.map((r) => (JSON.parse(r.value?.toString() ?? '{}') as AuditRecord).id)).toContain(record.id);
        // at least one: a producer retry may have written the record twice
        expect(snapshot.endOffsets[topic]).toBeGreaterThanOrEqual(1);
      },
    );
  },
);
