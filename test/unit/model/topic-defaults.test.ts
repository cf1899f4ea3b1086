import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config/load-config.ts';
import { renderAndCheck } from '../../../lib/engine/plan-environment.ts';
import { ConfigError, type ConfigProblem } from '../../../lib/errors.ts';
import { configDir } from '../../support/builders.ts';

const ENVS = `apiVersion: landscape.dev/v1
kind: Environment
metadata: { name: dev }
spec:
  kafka: { bootstrapServers: ["127.0.0.1:9092"] }
---
apiVersion: landscape.dev/v1
kind: Environment
metadata: { name: prod }
spec:
  kafka: { bootstrapServers: ["127.0.0.1:9092"] }
`;

const TEAM_A = `apiVersion: landscape.dev/v1
kind: TopicDefaults
metadata: { name: team-a }
spec:
  match: { labels: { team: a } }
  partitions: 6
  replicationFactor: 3
  config: { retention.ms: "604800000", cleanup.policy: delete }
overlays:
  dev: { spec: { replicationFactor: 1 } }
`;

async function topicsOf(files: Record<string, string>, environment = 'dev') {
  const dir = await configDir({ 'env.yaml': ENVS, ...files });
  const { desired, problems } = renderAndCheck(await loadConfig(dir, environment, { displayRoot: '' }));
  expect(problems).toEqual([]);
  return Object.fromEntries(desired.filter((d) => d.kind === 'Topic').map((d) => [d.name, d.spec]));
}

async function problemsOf(files: Record<string, string>): Promise<ConfigProblem[]> {
  const dir = await configDir({ 'env.yaml': ENVS, ...files });
  try {
    return renderAndCheck(await loadConfig(dir, 'dev', { displayRoot: '' })).problems;
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

const topic = (name: string, labels: string, spec = '{}') =>
  `apiVersion: landscape.dev/v1\nkind: Topic\nmetadata: { name: ${name}, labels: ${labels} }\nspec: ${spec}\n`;

describe('TopicDefaults', () => {
  it('fills partitions, replication factor and configs of matching topics; fields the topic sets win', async () => {
    const files = {
      'defaults.yaml': TEAM_A,
      'topics.yaml': `${topic('a.orders', '{ team: a }')}---\n${topic('a.audit', '{ team: a }', '{ partitions: 2, config: { retention.ms: "-1" } }')}---\n${topic('b.orders', '{ team: b }', '{ partitions: 1, replicationFactor: 1 }')}`,
    };
    expect(await topicsOf(files, 'prod')).toEqual({
      'a.orders': {
        partitions: 6,
        replicationFactor: 3,
        config: { 'retention.ms': '604800000', 'cleanup.policy': 'delete' },
      },
      'a.audit': { partitions: 2, replicationFactor: 3, config: { 'retention.ms': '-1', 'cleanup.policy': 'delete' } },
      'b.orders': { partitions: 1, replicationFactor: 1, config: {} },
    });
  });

  it('applies after overlays: the defaults overlay of an environment, and a topic overlay that sets a field', async () => {
    const files = {
      'defaults.yaml': TEAM_A,
      'topics.yaml': `${topic('a.orders', '{ team: a }')}overlays:\n  dev: { spec: { partitions: 1 } }\n`,
    };
    expect((await topicsOf(files, 'dev'))['a.orders']).toMatchObject({ partitions: 1, replicationFactor: 1 });
    expect((await topicsOf(files, 'prod'))['a.orders']).toMatchObject({ partitions: 6, replicationFactor: 3 });
  });

  it('matches by name pattern (a regular expression), and both label and pattern when both are given', async () => {
    const files = {
      'defaults.yaml': `apiVersion: landscape.dev/v1
kind: TopicDefaults
metadata: { name: events }
spec:
  match: { namePattern: "^events\\\\.", labels: { tier: gold } }
  partitions: 12
  replicationFactor: default
`,
      'topics.yaml': `${topic('events.clicks', '{ tier: gold }')}---\n${topic('events.views', '{ tier: bronze }', '{ partitions: 1, replicationFactor: 1 }')}`,
    };
    expect(await topicsOf(files)).toEqual({
      'events.clicks': { partitions: 12, replicationFactor: 'default', config: {} },
      'events.views': { partitions: 1, replicationFactor: 1, config: {} },
    });
  });

  it('refuses two matching TopicDefaults that set a field differently, naming both', async () => {
    const problems = await problemsOf({
      'a.yaml': TEAM_A,
      'b.yaml': `apiVersion: landscape.dev/v1
kind: TopicDefaults
metadata: { name: orders }
spec:
  match: { namePattern: "orders$" }
  partitions: 12
  config: { cleanup.policy: delete }
`,
      'topics.yaml': `${topic('a.orders', '{ team: a }')}---\n${topic('a.more-orders', '{ team: a }')}`,
    });
    expect(problems).toEqual([
      expect.objectContaining({
        file: 'b.yaml',
        line: 6,
        field: 'spec.partitions',
        message: 'sets partitions to 12 for Topic "a.orders", which TopicDefaults "team-a" (a.yaml:6) sets to 6',
        severity: 'error',
      }),
    ]);
  });

  it('says which field a topic lacks when no defaults give it', async () => {
    const problems = await problemsOf({ 'topics.yaml': topic('lonely', '{}', '{ partitions: 3 }') });
    expect(problems).toEqual([
      expect.objectContaining({
        file: 'topics.yaml',
        line: 4,
        field: 'spec.replicationFactor',
        message: 'is required (expected a positive integer or "default")',
        hint: 'add "replicationFactor" to the topic, or a TopicDefaults document that matches it and sets "replicationFactor"',
      }),
    ]);
  });

  it('refuses a match that matches nothing, a bad pattern and an unknown config key', async () => {
    const problems = await problemsOf({
      'd.yaml': `apiVersion: landscape.dev/v1
kind: TopicDefaults
metadata: { name: bad }
spec:
  match: { namePattern: "^(a" }
  config: { retention.msec: "1" }
---
apiVersion: landscape.dev/v1
kind: TopicDefaults
metadata: { name: empty }
spec:
  match: {}
`,
    });
    expect(problems.map((p) => [p.line, p.field])).toEqual([
      [5, 'spec.match.namePattern'],
      [6, 'spec.config.retention.msec'],
      [12, 'spec.match'],
    ]);
    expect(problems[1]?.hint).toBe('did you mean "retention.ms"?');
  });
});
