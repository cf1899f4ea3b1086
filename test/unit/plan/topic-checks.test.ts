import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config/load-config.ts';
import { renderAndCheck } from '../../../lib/engine/plan-environment.ts';
import { formatProblem } from '../../../lib/errors.ts';
import {
  definitionsVersionFor,
  KNOWN_KAFKA_VERSIONS,
  topicConfigDefinition,
  topicConfigValueProblem,
} from '../../../lib/model/topic-config.ts';
import { TOPIC_CONFIG_DEFINITIONS } from '../../../lib/model/topic-config-definitions.ts';
import { configDir, ENVIRONMENT_YAML } from '../../support/builders.ts';

function topic(name: string, config = '{}'): string {
  return `apiVersion: landscape.dev/v1\nkind: Topic\nmetadata: { name: ${JSON.stringify(name)} }\nspec: { partitions: 1, replicationFactor: 1, config: ${config} }\n`;
}

/** The problems `landscape validate` / plan report for these topics, as printed (file:line:column: ...). */
async function problemsOf(topics: string[], environment = ENVIRONMENT_YAML): Promise<string[]> {
  const dir = await configDir({ 'env.yaml': environment, 'topics.yaml': topics.join('---\n') });
  const config = await loadConfig(dir, 'test', { displayRoot: '' });
  return renderAndCheck(config).problems.map(formatProblem);
}

describe('topic names Kafka refuses', () => {
  it('reports each at file:line with the field and what is allowed', async () => {
    // Act
    const problems = await problemsOf([
      topic('bad name'),
      topic('a/b'),
      topic('..'),
      topic('.'),
      topic('café'),
      topic('ok-name-1.v2'),
    ]);
    const tooLong = await problemsOf([topic('x'.repeat(250))]).catch((error: Error) => error.message);

    // Assess
    expect(problems).toEqual([
      'topics.yaml:3:19: Topic "bad name" metadata.name: topic names may only contain ASCII letters, digits, ".", "_" and "-"; this one has " " (rename the topic)',
      'topics.yaml:8:19: Topic "a/b" metadata.name: topic names may only contain ASCII letters, digits, ".", "_" and "-"; this one has "/" (rename the topic)',
      'topics.yaml:13:19: Topic ".." metadata.name: ".." is not a valid topic name: Kafka refuses "." and ".." (rename the topic)',
      'topics.yaml:18:19: Topic "." metadata.name: "." is not a valid topic name: Kafka refuses "." and ".." (rename the topic)',
      'topics.yaml:23:19: Topic "café" metadata.name: topic names may only contain ASCII letters, digits, ".", "_" and "-"; this one has "é" (rename the topic)',
    ]);
    // The loader already limits every name to Kafka's 249 characters.
    expect(tooLong).toContain('metadata.name: must be at most 249 characters');
  });

  it('refuses names that collide in metric names and warns about names with both "." and "_", as Kafka does', async () => {
    // Act
    const problems = await problemsOf([
      topic('payments.orders'),
      topic('payments_orders'),
      topic('payments.orders_v2'),
    ]);

    // Assess
    expect(problems).toEqual([
      'topics.yaml:8:19: Topic "payments_orders" metadata.name: collides with Topic "payments.orders" (topics.yaml:1): Kafka\'s metric names replace "." with "_", so the broker refuses to create both (rename one of them)',
      'topics.yaml:13:19: warning: Topic "payments.orders_v2" metadata.name: has both "." and "_": Kafka\'s metric names replace "." with "_", so it collides with any topic whose name differs only there (use either "." or "_" in topic names, not both)',
    ]);
  });
});

describe('topic config values per Kafka version', () => {
  it('reports a value out of range with the range the broker allows', async () => {
    // Act
    const problems = await problemsOf([topic('orders', '{ segment.bytes: 100000 }')]);

    // Assess
    expect(problems).toEqual([
      'topics.yaml:4:71: Topic "orders" spec.config.segment.bytes: 100000 is out of range: allowed [1048576, ...] (Kafka 4.3) (the broker default is 1073741824)',
    ]);
  });

  it("checks against the Environment's Kafka version", async () => {
    // Prepare: Kafka 4.0 still accepted small segments; message.format.version is gone since 4.0.
    const kafka40 = ENVIRONMENT_YAML.replace(
      'kafka: { bootstrapServers: ["127.0.0.1:9092"] }',
      'kafka: { bootstrapServers: ["127.0.0.1:9092"], version: "4.0.2" }',
    );
    const topics = [topic('orders', '{ segment.bytes: 100000 }'), topic('legacy', '{ message.format.version: "3.0" }')];

    // Act
    const on40 = await problemsOf(topics, kafka40);
    const onNewest = await problemsOf(topics);

    // Assess
    expect(on40).toEqual([
      'topics.yaml:9:80: Topic "legacy" spec.config.message.format.version: "message.format.version" is not a topic config in Kafka 4.0 (it is in Kafka 3.9) (remove it)',
    ]);
    expect(onNewest).toContain(
      'topics.yaml:9:80: Topic "legacy" spec.config.message.format.version: "message.format.version" is not a topic config in Kafka 4.3 (it is in Kafka 3.9) (remove it, or set spec.kafka.version on the Environment if the brokers run Kafka 3.9)',
    );
  });

  it('checks types, valid values and lists, and says what is allowed', async () => {
    // Act
    const problems = await problemsOf([
      topic(
        'orders',
        '{ retention.ms: 7d, cleanup.policy: "compact,archive", min.cleanable.dirty.ratio: 1.5, unclean.leader.election.enable: "yes", compression.type: brotli, compression.gzip.level: 0, max.message.bytes: 9223372036854775807 }',
      ),
    ]);

    // Assess
    expect(problems.map((p) => p.replace(/^topics\.yaml:\d+:\d+: Topic "orders" /, ''))).toEqual([
      'spec.config.retention.ms: expected a whole number (long), got "7d" (Kafka 4.3) (the broker default is 604800000)',
      'spec.config.cleanup.policy: expected a comma-separated list of compact, delete, got "archive" in "compact,archive" (Kafka 4.3) (the broker default is delete)',
      'spec.config.min.cleanable.dirty.ratio: 1.5 is out of range: allowed [0, ..., 1] (Kafka 4.3) (the broker default is 0.5)',
      'spec.config.unclean.leader.election.enable: expected true or false, got "yes" (Kafka 4.3) (the broker default is false)',
      'spec.config.compression.type: expected one of uncompressed, zstd, lz4, snappy, gzip, producer, got "brotli" (Kafka 4.3) (the broker default is producer)',
      'spec.config.compression.gzip.level: 0 is out of range: allowed [1, ..., 9] or -1 (Kafka 4.3) (the broker default is -1)',
      'spec.config.max.message.bytes: expected a whole number (int), got "9223372036854776000" (Kafka 4.3) (YAML reads numbers this large as floating point: quote the value)',
    ]);
  });

  it('accepts the values at the edges of each range', () => {
    const accepted = (key: string, value: string) =>
      topicConfigValueProblem(
        topicConfigDefinition(key, '4.3') as NonNullable<ReturnType<typeof topicConfigDefinition>>,
        value,
      );
    expect(accepted('segment.bytes', '1048576')).toBeUndefined();
    expect(accepted('compression.gzip.level', '-1')).toBeUndefined();
    expect(accepted('min.cleanable.dirty.ratio', '1')).toBeUndefined();
    expect(accepted('retention.ms', '-1')).toBeUndefined();
    expect(accepted('cleanup.policy', 'compact, delete')).toBeUndefined();
    expect(accepted('leader.replication.throttled.replicas', '*')).toBeUndefined();
    expect(accepted('leader.replication.throttled.replicas', '0:1,1:2')).toBeUndefined();
    expect(accepted('leader.replication.throttled.replicas', '0-1')).toBe(
      'expected "*" or a comma-separated list of partition:broker pairs, got "0-1" in "0-1"',
    );
  });
});

describe('the generated definitions', () => {
  it('picks the known version at or before the broker version', () => {
    expect(KNOWN_KAFKA_VERSIONS).toEqual(['3.9', '4.0', '4.1', '4.2', '4.3']);
    expect(definitionsVersionFor(undefined)).toBe('4.3');
    expect(definitionsVersionFor('4.1.2')).toBe('4.1');
    expect(definitionsVersionFor('4.4')).toBe('4.3');
    expect(definitionsVersionFor('3.7')).toBe('3.9');
  });

  it('names each version at most once per key', () => {
    for (const [key, variants] of Object.entries(TOPIC_CONFIG_DEFINITIONS)) {
      const versions = variants.flatMap((v) => v.versions);
      expect(new Set(versions).size, key).toBe(versions.length);
    }
  });
});
