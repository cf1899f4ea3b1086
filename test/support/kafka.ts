import { randomBytes } from 'node:crypto';
import type { SecretRef } from '../../lib/model/common.ts';
import type { SecretResolver } from '../../lib/ports/secret-resolver.ts';
import {
  adminAs,
  brokerSecretResolver,
  eventually,
  kafkaTestEnv,
  rawAdmin,
} from '../../scripts/services/kafka-broker.ts';
import { registerTestSecret } from './scan/suite-secrets.ts';
import { uniqueName } from './unique-name.ts';

/**
 * Test-only helpers around the local broker (scripts/services/kafka-broker.ts has the broker itself): an
 * Environment document on it, an `env` SecretResolver that registers the values it is given with the
 * suite-wide secret scan, unique name prefixes, topics ready for clients, and checks as another user.
 */

export interface TestEnvironmentOptions {
  /** The env variable the admin password is read from (default KAFKA_PASSWORD). */
  passwordVariable?: string;
  /** Another bootstrap address (default the test broker's). */
  bootstrap?: string;
  branch?: string;
  /** Kinds to prune, e.g. `['Topic', 'Acl']`. */
  prune?: readonly string[];
  requireApprovalFor?: 'none' | 'destructive' | 'all';
  /** More lines under `spec` (indented by two), without a final newline. */
  extra?: string;
}

/** An Environment document on the shared test broker, as the admin user, its password an `env` reference. */
export function testEnvironmentYaml(name: string, options: TestEnvironmentOptions = {}): string {
  return [
    'apiVersion: landscape.dev/v1',
    'kind: Environment',
    `metadata: { name: ${name} }`,
    'spec:',
    ...(options.branch ? [`  branch: ${options.branch}`] : []),
    '  kafka:',
    `    bootstrapServers: ["${options.bootstrap ?? kafkaTestEnv.bootstrap}"]`,
    `    sasl: { mechanism: scram-sha-512, username: ${kafkaTestEnv.username}, password: { secretRef: { provider: env, name: ${options.passwordVariable ?? 'KAFKA_PASSWORD'} } } }`,
    ...(options.prune ? [`  prune: { ${options.prune.map((kind) => `${kind}: true`).join(', ')} }`] : []),
    ...(options.requireApprovalFor ? [`  requireApprovalFor: ${options.requireApprovalFor}`] : []),
    ...(options.extra ? [options.extra] : []),
    '',
  ].join('\n');
}

/**
 * Resolves `env` secret references from process.env, falling back to `values` (test-only: lets a test hand
 * a user password to the provider without exporting it). Every value given is registered with the suite-wide
 * secret scan. Errors name the reference, never a value.
 */
export function envSecretResolver(values: Record<string, string> = {}): SecretResolver & {
  set(name: string, value: string): void;
} {
  for (const [name, value] of Object.entries(values)) registerTestSecret(name, value);
  const resolver = brokerSecretResolver(values);
  return {
    resolve: (ref: SecretRef) => resolver.resolve(ref),
    set(name: string, value: string) {
      resolver.set(name, registerTestSecret(name, value));
    },
  };
}

/** A prefix no other run uses: `it-kafka-3f9a1c2b-`. */
export function uniquePrefix(label = 'it-kafka'): string {
  return `${uniqueName(label)}-`;
}

/** A fresh password for the `env` secret `name`, handed to `secrets`; returned so the test can log in with it. */
export function newPassword(secrets: { set(name: string, value: string): void }, name: string): string {
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  secrets.set(name, password);
  return password;
}

/** Whether `username` can log in to the test broker with `password` (SCRAM-SHA-512). */
export async function canAuthenticate(username: string, password: string): Promise<boolean> {
  const admin = adminAs(username, password);
  try {
    await admin.metadata({ topics: [] });
    return true;
  } catch {
    return false;
  } finally {
    await admin.close().catch(() => undefined);
  }
}

/**
 * Creates topics and waits until every partition has a leader in fresh metadata: on a busy shared broker a
 * topic can be created and still be unknown to the next client for a second or more.
 */
export async function createTopicsAndWait(topics: string[], partitions: number, timeoutMs = 30_000): Promise<void> {
  const admin = rawAdmin('landscape-it-topics');
  try {
    await admin.createTopics({ topics, partitions, replicas: 1 });
    const ready = await eventually(async () => {
      const metadata = await admin.metadata({ topics, forceUpdate: true });
      return topics.every((t) => {
        const info = metadata.topics.get(t);
        return info !== undefined && info.partitionsCount === partitions && info.partitions.every((p) => p.leader >= 0);
      });
    }, timeoutMs);
    if (!ready) throw new Error(`topics ${topics.join(', ')} did not get leaders within ${timeoutMs / 1000} s`);
  } finally {
    await admin.close();
  }
}

/** The end offset (the next offset to be written) of partition 0 of `topic`. */
export async function endOffset(topic: string): Promise<bigint | undefined> {
  const admin = rawAdmin('landscape-it-offsets');
  try {
    const [listed] = await admin.listOffsets({
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
    });
    return listed?.partitions[0]?.offset;
  } finally {
    await admin.close();
  }
}
