import { describe, expect, it } from 'vitest';
import { loadConfig, validateConfig } from '../../../lib/config/load-config.ts';
import { renderAndCheck } from '../../../lib/engine/plan-environment.ts';
import { formatProblem } from '../../../lib/errors.ts';
import { documentsOfKind } from '../../../lib/model/documents.ts';
import { configDir, ENVIRONMENT_YAML, topicYaml } from '../../support/builders.ts';

/**
 * Lists longer than the ~120,000 arguments a call can take: `list.push(...items)` overflowed the stack
 * ("Maximum call stack size exceeded") and stopped validate. 150,000 items are within every default limit.
 */
const ITEMS = 150_000;

describe('lists longer than a call can spread', () => {
  it('validates a document holding a list of 150,000 items', { timeout: 120_000 }, async () => {
    const dir = await configDir({
      'env.yaml': ENVIRONMENT_YAML,
      'big.yaml': `${topicYaml('big', '{ partitions: 1, replicationFactor: 1 }')}x: [${'1,'.repeat(ITEMS - 1)}1]\n`,
    });
    const problems = (await validateConfig(dir)).map((p) => formatProblem(p).replaceAll(`${dir}/`, ''));
    expect(problems).toEqual([
      'big.yaml:5:1: Topic "big" x: unknown field "x" (a document has only apiVersion, kind, metadata, spec, overlays)',
    ]);
  });

  it('lists 50 of 150,000 repeated keys and counts the rest', { timeout: 120_000 }, async () => {
    const dir = await configDir({
      'env.yaml': ENVIRONMENT_YAML,
      'keys.yaml': `${topicYaml('t', '{ partitions: 1, replicationFactor: 1 }')}x: { ${'a: 1, '.repeat(ITEMS)}b: 2 }\n`,
    });
    const problems = (await validateConfig(dir)).map((p) => formatProblem(p).replaceAll(`${dir}/`, ''));
    expect(problems).toHaveLength(51);
    expect(problems[0]).toBe('keys.yaml:5:12: YAML syntax: Map keys must be unique (remove the repeated key)');
    expect(problems[50]).toBe(
      `keys.yaml:1:1: ${ITEMS - 1 - 50} more repeated keys in this document not listed (remove the repeated keys)`,
    );
  });

  it('renders and checks an environment with 300,000 problems', { timeout: 120_000 }, async () => {
    const dir = await configDir({
      'env.yaml': ENVIRONMENT_YAML,
      'p.yaml':
        'apiVersion: landscape.dev/v1\nkind: Policy\nmetadata: { name: p }\nspec:\n  rules: { forbiddenConfigs: ["x.*"] }\n',
      't.yaml': topicYaml('t', '{ partitions: 1, replicationFactor: 1 }'),
    });
    const config = await loadConfig(dir, 'test');
    // Set after validation: a topic config this large would take 150,000 validation problems first.
    const topicConfig = documentsOfKind(config.documents, 'Topic')[0]?.spec.config ?? {};
    for (let i = 0; i < ITEMS; i++) topicConfig[`x.${i}`] = '1';
    const { problems } = renderAndCheck(config);
    // Each key is forbidden by the Policy and unknown to Kafka.
    expect(problems.length).toBe(2 * ITEMS);
  });
});
