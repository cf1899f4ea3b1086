import { describe, expect, it } from 'vitest';
import { loadConfig, validateConfig } from '../../../lib/config/load-config.ts';
import { ConfigError, formatProblem } from '../../../lib/errors.ts';
import { documentsOfKind } from '../../../lib/model/documents.ts';
import { configDir, ENVIRONMENT_YAML, topicYaml } from '../../support/builders.ts';

async function problemsOf(files: Record<string, string>): Promise<string[]> {
  const dir = await configDir(files);
  return (await validateConfig(dir)).map((p) => formatProblem(p).replaceAll(`${dir}/`, ''));
}

describe('loadConfig', () => {
  it('names file, line, column, field and the value found for a bad number', async () => {
    const problems = await problemsOf({
      'env.yaml': ENVIRONMENT_YAML,
      'topics.yaml': `apiVersion: landscape.dev/v1\nkind: Topic\nmetadata: { name: orders }\nspec:\n  partitions: -1\n  replicationFactor: 1\n`,
    });
    expect(problems).toEqual(['topics.yaml:5:15: Topic "orders" spec.partitions: expected a positive integer, got -1']);
  });

  it('rejects unknown fields and unknown topic config keys with a suggestion', async () => {
    const problems = await problemsOf({
      'env.yaml': ENVIRONMENT_YAML,
      'topics.yaml': topicYaml(
        'orders',
        '{ partitions: 1, replicationFactor: 1, partitons: 2, config: { retention.msec: 5 } }',
      ),
    });
    expect(problems).toContain(
      'topics.yaml:4:86: Topic "orders" spec.config.retention.msec: unknown topic config "retention.msec" (did you mean "retention.ms"?)',
    );
    expect(problems.some((p) => p.includes('unknown field "partitons" (did you mean "partitions"?)'))).toBe(true);
  });

  it('reports YAML syntax errors at their position and keeps checking other files', async () => {
    const problems = await problemsOf({
      'env.yaml': ENVIRONMENT_YAML,
      'a.yaml': 'apiVersion: landscape.dev/v1\nkind: Topic\n  metadata: x\n',
      'b.yaml': topicYaml('b', '{ partitions: 0, replicationFactor: 1 }'),
    });
    expect(problems[0]).toMatch(
      /^a\.yaml:2:7: YAML syntax: Nested mappings are not allowed in compact mappings \(fix the YAML syntax\)$/,
    );
    expect(problems.some((p) => p.startsWith('b.yaml:4:') && p.includes('spec.partitions'))).toBe(true);
  });

  it('suggests the kind and environment names people mistype', async () => {
    const problems = await problemsOf({
      'env.yaml': ENVIRONMENT_YAML,
      'x.yaml': `apiVersion: landscape.dev/v1\nkind: Topik\nmetadata: { name: x }\nspec: {}\n---\n${topicYaml('y', '{ partitions: 1, replicationFactor: 1 }')}overlays:\n  tset: { spec: { partitions: 2 } }\n`,
    });
    expect(problems).toContain('x.yaml:2:7: Topik "x" kind: unknown kind "Topik" (did you mean "Topic"?)');
    expect(problems.some((p) => p.includes('no Environment named "tset" (did you mean "test"?)'))).toBe(true);
  });

  it('applies the overlay of the chosen environment only, and locates overlay errors in the overlay', async () => {
    const dir = await configDir({
      'env.yaml': `${ENVIRONMENT_YAML}---\n${ENVIRONMENT_YAML.replace('name: test', 'name: prod')}`,
      'topics.yaml': `${topicYaml('orders', '{ partitions: 1, replicationFactor: 1, config: { retention.ms: 1000 } }')}overlays:\n  prod:\n    spec:\n      partitions: 0\n`,
    });
    const test = await loadConfig(dir, 'test');
    expect(documentsOfKind(test.documents, 'Topic')[0]?.spec.partitions).toBe(1);
    const error = await loadConfig(dir, 'prod').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems[0]).toMatchObject({ line: 8, field: 'spec.partitions' });
  });

  it('merges overlays deeply and removes keys set to null', async () => {
    const dir = await configDir({
      'env.yaml': `${ENVIRONMENT_YAML}---\n${ENVIRONMENT_YAML.replace('name: test', 'name: prod')}`,
      'topics.yaml': `${topicYaml('orders', '{ partitions: 1, replicationFactor: 1, config: { retention.ms: 1000, cleanup.policy: delete } }')}overlays:\n  prod: { spec: { config: { retention.ms: 2000, cleanup.policy: null } } }\n`,
    });
    const prod = await loadConfig(dir, 'prod');
    expect(documentsOfKind(prod.documents, 'Topic')[0]?.spec.config).toEqual({ 'retention.ms': '2000' });
  });

  it('skips documents restricted to other environments', async () => {
    const dir = await configDir({
      'env.yaml': ENVIRONMENT_YAML,
      'topics.yaml': `apiVersion: landscape.dev/v1\nkind: Topic\nmetadata: { name: only-prod, environments: [prod] }\nspec: { partitions: 1, replicationFactor: 1 }\n`,
    });
    expect((await loadConfig(dir, 'test')).documents).toEqual([]);
  });

  it('reports the same resource declared twice with both locations', async () => {
    const problems = await problemsOf({
      'env.yaml': ENVIRONMENT_YAML,
      'a.yaml': topicYaml('orders', '{ partitions: 1, replicationFactor: 1 }'),
      'b.yaml': topicYaml('orders', '{ partitions: 2, replicationFactor: 1 }'),
    });
    expect(
      problems.some(
        (p) => p.startsWith('b.yaml:1:1: Topic "orders": declared twice (also at') && p.includes('a.yaml:1'),
      ),
    ).toBe(true);
  });

  it('does not call documents restricted to different environments duplicates', async () => {
    const problems = await problemsOf({
      'env.yaml': `${ENVIRONMENT_YAML}---\n${ENVIRONMENT_YAML.replace('name: test', 'name: prod')}`,
      'topics.yaml': `apiVersion: landscape.dev/v1\nkind: Topic\nmetadata: { name: orders, environments: [test] }\nspec: { partitions: 1, replicationFactor: 1 }\n---\napiVersion: landscape.dev/v1\nkind: Topic\nmetadata: { name: orders, environments: [prod] }\nspec: { partitions: 3, replicationFactor: 1 }\n---\napiVersion: landscape.dev/v1\nkind: Topic\nmetadata: { name: orders }\nspec: { partitions: 1, replicationFactor: 1 }\n`,
    });
    // The third one is in both environments: a duplicate of each of the others, reported once per environment.
    expect(problems).toEqual([
      'topics.yaml:11:1: Topic "orders": declared twice (also at topics.yaml:1) (keep one document per name; use overlays for per-environment values)',
      'topics.yaml:11:1: Topic "orders": declared twice (also at topics.yaml:6) (keep one document per name; use overlays for per-environment values)',
    ]);
  });

  it('reports a duplicate that only an overlay makes, in that environment', async () => {
    const problems = await problemsOf({
      'env.yaml': `${ENVIRONMENT_YAML}---\n${ENVIRONMENT_YAML.replace('name: test', 'name: prod')}`,
      'topics.yaml': `${topicYaml('orders', '{ partitions: 1, replicationFactor: 1 }')}---\n${topicYaml('payments', '{ partitions: 1, replicationFactor: 1 }')}overlays:\n  prod: { metadata: { name: orders } }\n`,
    });
    expect(problems).toEqual([
      'topics.yaml:6:1: Topic "orders": declared twice (also at topics.yaml:1) (keep one document per name; use overlays for per-environment values)',
    ]);
  });

  it('says which environment is missing and which exist', async () => {
    const dir = await configDir({ 'env.yaml': ENVIRONMENT_YAML });
    const error = (await loadConfig(dir, 'tst').catch((e: unknown) => e)) as ConfigError;
    expect(error.problems[0]?.message).toBe('no Environment named "tst"');
    expect(error.problems[0]?.hint).toBe('did you mean "test"?');
  });

  it('reads Schema files relative to the document and reports missing ones at the field', async () => {
    const dir = await configDir({
      'env.yaml': ENVIRONMENT_YAML,
      'schemas/order.avsc': '{"type":"record","name":"Order","fields":[]}',
      'schemas/s.yaml': `apiVersion: landscape.dev/v1\nkind: Schema\nmetadata: { name: orders-value }\nspec:\n  file: order.avsc\n---\napiVersion: landscape.dev/v1\nkind: Schema\nmetadata: { name: missing }\nspec:\n  file: nope.avsc\n`,
    });
    const problems = await validateConfig(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 11, field: 'spec.file' });
  });
});
