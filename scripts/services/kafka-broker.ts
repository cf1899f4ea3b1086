import {
  Admin,
  type AdminOptions,
  alterUserScramCredentialsV0,
  ConfigResourceTypes,
  describeUserScramCredentialsV0,
  Producer,
  type ProducerOptions,
  ResourcePatternTypes,
  ResourceTypes,
} from '@platformatic/kafka';
import type { SecretRef } from '../../lib/model/common.ts';
import { type KafkaConnection, KafkaConnectionSchema } from '../../lib/model/environment.ts';
import type { SecretResolver } from '../../lib/ports/secret-resolver.ts';

/**
 * The local test broker (scripts/services/kafka.sh) as the integration tests and the bench reach it: its
 * address and admin credentials from the environment, the Environment's connection to it, raw admin clients
 * and producers for preparing, cleaning up and acting as another user, and its file-delete delay. The bench
 * imports this file, never test/: what is test-only (secret registration, YAML builders) stays in test/support.
 */

/** Where the shared test broker is; override with KAFKA_BOOTSTRAP / KAFKA_USERNAME / KAFKA_PASSWORD. */
export const kafkaTestEnv = {
  bootstrap: process.env.KAFKA_BOOTSTRAP ?? '127.0.0.1:9092',
  username: process.env.KAFKA_USERNAME ?? 'admin',
  password: process.env.KAFKA_PASSWORD ?? 'admin-secret',
};

/** A reference to the admin password, resolved by `brokerSecretResolver` (defaulted for the local broker). */
export const adminPasswordRef: SecretRef = { secretRef: { provider: 'env', name: 'KAFKA_PASSWORD' } };

/**
 * Resolves `env` secret references from process.env, falling back to `values` and to the broker's admin
 * password (KAFKA_PASSWORD). Errors name the reference, never a value.
 */
export function brokerSecretResolver(values: Record<string, string> = {}): SecretResolver & {
  set(name: string, value: string): void;
} {
  const extra = new Map(Object.entries({ KAFKA_PASSWORD: kafkaTestEnv.password, ...values }));
  return {
    async resolve(ref: SecretRef): Promise<string> {
      if (ref.secretRef.provider !== 'env') {
        throw new Error(
          `secret "${ref.secretRef.provider}/${ref.secretRef.name}": only env secrets are supported in tests`,
        );
      }
      const value = process.env[ref.secretRef.name] ?? extra.get(ref.secretRef.name);
      if (value === undefined) throw new Error(`secret "env/${ref.secretRef.name}" is not set`);
      return value;
    },
    set(name: string, value: string) {
      extra.set(name, value);
    },
  };
}

/** The Environment's Kafka connection for the test broker (SCRAM-SHA-512, no TLS). */
export function testKafkaConnection(overrides: Partial<KafkaConnection> = {}): KafkaConnection {
  return KafkaConnectionSchema.parse({
    bootstrapServers: kafkaTestEnv.bootstrap.split(','),
    clientId: 'landscape-it',
    sasl: { mechanism: 'scram-sha-512', username: kafkaTestEnv.username, password: adminPasswordRef },
    ...overrides,
  });
}

function adminOptions(username: string, password: string, clientId: string): AdminOptions {
  return {
    clientId,
    bootstrapBrokers: kafkaTestEnv.bootstrap.split(','),
    sasl: { mechanism: 'SCRAM-SHA-512', username, password },
    retries: 0,
    timeout: 30_000,
  };
}

/** A raw admin client as the superuser: for preparing and cleaning up around the code under test. */
export function rawAdmin(clientId = 'landscape-it-raw'): Admin {
  return new Admin(adminOptions(kafkaTestEnv.username, kafkaTestEnv.password, clientId));
}

/** An admin client authenticated as another SCRAM-SHA-512 user (to check credentials and ACLs). */
export function adminAs(username: string, password: string): Admin {
  return new Admin(adminOptions(username, password, `landscape-it-${username}`));
}

/**
 * The producer for test data (as the superuser): idempotent, so a batch the client sends again after an
 * acknowledgement was lost (a loaded machine, a slow broker) is written once. Every test that counts records,
 * offsets or lag must produce with it: a plain producer's retry duplicates the batch
 * (test/integration/kafka/test-producer.test.ts shows both).
 */
export function testProducer<Key = Buffer, Value = Buffer, HeaderKey = Buffer, HeaderValue = Buffer>(
  clientId: string,
  options: Pick<ProducerOptions<Key, Value, HeaderKey, HeaderValue>, 'serializers'> = {},
): Producer<Key, Value, HeaderKey, HeaderValue> {
  return new Producer<Key, Value, HeaderKey, HeaderValue>({
    clientId,
    bootstrapBrokers: kafkaTestEnv.bootstrap.split(','),
    sasl: { mechanism: 'SCRAM-SHA-512', username: kafkaTestEnv.username, password: kafkaTestEnv.password },
    idempotent: true,
    ...options,
  });
}

/** A producer authenticated as another user; not idempotent so that only topic ACLs matter. */
export function producerAs(username: string, password: string): Producer<Buffer, Buffer, Buffer, Buffer> {
  return new Producer({
    clientId: `landscape-it-producer-${username}`,
    bootstrapBrokers: kafkaTestEnv.bootstrap.split(','),
    sasl: { mechanism: 'SCRAM-SHA-512', username, password },
    idempotent: false,
    acks: 1,
    retries: 0,
    timeout: 10_000,
  });
}

// ---- Cleanup ----------------------------------------------------------------------------------------

const ANY_ACL_FILTER = {
  resourceType: ResourceTypes.ANY,
  resourceName: null,
  resourcePatternType: ResourcePatternTypes.ANY,
  principal: null,
  host: null,
  operation: 1, // ANY
  permissionType: 1, // ANY
} as const;

/**
 * Removes everything a test run created under `prefix`: topics, ACLs whose principal or resource starts
 * with it, quotas of such users/client ids and SCRAM users. Best effort (cleanup must not fail a test), but
 * it retries a few times, because a broker busy creating or deleting thousands of logs can time out.
 *
 * ACLs are removed with one broad filter per principal (`User:<prefix>...`, anything else ANY) and one per
 * resource name under the prefix: the controller scans every ACL for every filter, so 20,000 exact filters
 * would take minutes where a few hundred broad ones take seconds. Everything they match is ours.
 */
export async function cleanupPrefix(prefix: string, attempts = 3): Promise<void> {
  const admin = new Admin({
    ...adminOptions(kafkaTestEnv.username, kafkaTestEnv.password, 'landscape-cleanup'),
    timeout: 120_000,
  });
  try {
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const topics = (await admin.listTopics().catch(() => [] as string[])).filter((t) => t.startsWith(prefix));
      for (let i = 0; i < topics.length; i += 500) {
        await admin.deleteTopics({ topics: topics.slice(i, i + 500) }).catch(() => undefined);
      }
      const resources = await admin.describeAcls({ filter: ANY_ACL_FILTER }).catch(() => []);
      const principals = new Set<string>();
      const names = new Map<string, (typeof resources)[number]>();
      for (const r of resources) {
        if (r.resourceName.startsWith(prefix))
          names.set(`${r.resourceType}/${r.resourcePatternType}/${r.resourceName}`, r);
        for (const a of r.acls) if (a.principal.startsWith(`User:${prefix}`)) principals.add(a.principal);
      }
      const filters = [
        ...[...principals].map((principal) => ({ ...ANY_ACL_FILTER, principal })),
        ...[...names.values()].map((r) => ({
          ...ANY_ACL_FILTER,
          resourceType: r.resourceType,
          resourcePatternType: r.resourcePatternType,
          resourceName: r.resourceName,
        })),
      ];
      for (let i = 0; i < filters.length; i += 200) {
        await admin.deleteAcls({ filters: filters.slice(i, i + 200) }).catch(() => undefined);
      }
      const quotas = await admin.describeClientQuotas({ components: [] }).catch(() => []);
      const quotaEntries = quotas
        .filter((q) => q.entity.some((e) => e.entityName?.startsWith(prefix)))
        .map((q) => ({ entities: q.entity, ops: q.values.map((v) => ({ key: v.key, remove: true as const })) }));
      if (quotaEntries.length > 0) await admin.alterClientQuotas({ entries: quotaEntries }).catch(() => undefined);
      await deleteScramUsersWithPrefix(admin, prefix).catch(() => undefined);
      if (topics.length === 0 && filters.length === 0 && quotaEntries.length === 0) return;
    }
  } finally {
    await admin.close().catch(() => undefined);
  }
}

async function deleteScramUsersWithPrefix(admin: Admin, prefix: string): Promise<void> {
  const connection = [...(await admin.connectToBrokers()).values()][0];
  if (!connection) return;
  const described = await describeUserScramCredentialsV0.api.async(connection, []).catch(() => undefined);
  const deletions = (described?.results ?? [])
    .filter((r) => r.user.startsWith(prefix))
    .flatMap((r) => r.credentialInfos.map((c) => ({ name: r.user, mechanism: c.mechanism })));
  // The broker alters one credential per user per request: one round per mechanism.
  for (const mechanism of new Set(deletions.map((d) => d.mechanism))) {
    const round = deletions.filter((d) => d.mechanism === mechanism);
    await alterUserScramCredentialsV0.api.async(connection, round, []).catch(() => undefined);
  }
}

/** Retries `check` until it returns true or `timeoutMs` passes (broker-side propagation in tests). */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The broker's `file.delete.delay.ms` (how long deleted partitions keep their files), 60 s if unreadable. */
export async function fileDeleteDelayMs(): Promise<number> {
  const admin = rawAdmin('landscape-it-config');
  try {
    const metadata = await admin.metadata({ topics: [] });
    const brokerId = [...metadata.brokers.keys()][0];
    if (brokerId === undefined) return 60_000;
    const [described] = await admin.describeConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.BROKER,
          resourceName: String(brokerId),
          configurationKeys: ['file.delete.delay.ms'],
        },
      ],
    });
    const value = Number(described?.configs.find((c) => c.name === 'file.delete.delay.ms')?.value);
    return Number.isFinite(value) ? value : 60_000;
  } catch {
    return 60_000;
  } finally {
    await admin.close().catch(() => undefined);
  }
}
