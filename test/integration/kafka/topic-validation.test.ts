import { createTopicsV7 } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicNameProblem } from '../../../lib/model/kinds/topic.ts';
import {
  definitionsVersionFor,
  topicConfigDefinition,
  topicConfigValueProblem,
} from '../../../lib/model/topic-config.ts';
import { rawAdmin } from '../../../scripts/services/kafka-broker.ts';
import { uniquePrefix } from '../../support/kafka.ts';

const prefix = uniquePrefix('it-topic-check');
/** The shared test broker's version (scripts/services/kafka.sh). */
const version = definitionsVersionFor(process.env.KAFKA_VERSION ?? '4.3.1');
const admin = rawAdmin('it-topic-validation');

interface Case {
  name: string;
  config?: [string, string];
}

/** What Landscape's check says about a topic: a problem, or undefined when it lets it through. */
function landscapeVerdict({ name, config }: Case): string | undefined {
  const nameProblem = topicNameProblem(name);
  if (nameProblem || !config) return nameProblem;
  const definition = topicConfigDefinition(config[0], version);
  if (!definition) return `"${config[0]}" is not a topic config in Kafka ${version}`;
  return topicConfigValueProblem(definition, config[1]);
}

const configCases: [string, string][] = [
  ['segment.bytes', '100000'],
  ['segment.bytes', '1048576'],
  ['retention.ms', '7d'],
  ['retention.ms', '-1'],
  ['retention.ms', '-2'],
  ['cleanup.policy', 'compact,archive'],
  ['cleanup.policy', 'compact,delete'],
  ['min.cleanable.dirty.ratio', '1.5'],
  ['min.cleanable.dirty.ratio', '1'],
  ['compression.gzip.level', '0'],
  ['compression.gzip.level', '-1'],
  ['compression.zstd.level', '23'],
  ['compression.type', 'brotli'],
  ['compression.type', 'zstd'],
  ['unclean.leader.election.enable', 'yes'],
  ['unclean.leader.election.enable', 'TRUE'],
  ['message.timestamp.type', 'createtime'],
  ['message.timestamp.type', 'LogAppendTime'],
  ['max.message.bytes', '-1'],
  ['max.message.bytes', '2147483648'],
  ['leader.replication.throttled.replicas', '0-1'],
  ['leader.replication.throttled.replicas', '*'],
  ['message.format.version', '3.0'],
];
const cases: Case[] = [
  { name: 'bad name' },
  { name: 'a/b' },
  { name: '..' },
  { name: '.' },
  { name: 'café' },
  { name: `${prefix}${'x'.repeat(249 - prefix.length)}` },
  ...configCases.map((config, i) => ({ name: `${prefix}c${i}`, config })),
];

beforeAll(async () => {
  await admin.connectToBrokers();
});

afterAll(async () => {
  await admin.close();
});

describe('topic validation agrees with the broker', () => {
  it('refuses exactly the names and config values the broker refuses (CreateTopics, validate only)', async () => {
    // Prepare
    const connection = [...(await admin.connectToBrokers()).values()][0];
    if (!connection) throw new Error('no broker');

    // Act: one validate-only CreateTopics per case, so one refusal cannot hide another.
    const verdicts = await Promise.all(
      cases.map(async (c) => {
        const response = await createTopicsV7.api
          .async(
            connection,
            [
              {
                name: c.name,
                numPartitions: 1,
                replicationFactor: 1,
                assignments: [],
                configs: c.config ? [{ name: c.config[0], value: c.config[1] }] : [],
              },
            ],
            30_000,
            true,
          )
          // A refused topic comes back as an error that still holds the whole response.
          .catch((error: { response?: createTopicsV7.CreateTopicsResponse }) => {
            if (error.response) return error.response;
            throw error;
          });
        const errorCode = response.topics[0]?.errorCode ?? -1;
        return {
          case: c.config ? `${c.config[0]}=${c.config[1]}` : `name "${c.name}"`,
          broker: errorCode === 0,
          landscape: landscapeVerdict(c) === undefined,
        };
      }),
    );

    // Assess
    expect(verdicts.filter((v) => v.broker !== v.landscape)).toEqual([]);
    // Both outcomes are exercised.
    expect(verdicts.filter((v) => v.broker).length).toBeGreaterThan(5);
    expect(verdicts.filter((v) => !v.broker).length).toBeGreaterThan(10);
  });
});
