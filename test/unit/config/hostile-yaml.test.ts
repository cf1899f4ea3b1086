import { describe, expect, it } from 'vitest';
import { type ConfigLimits, DEFAULT_CONFIG_LIMITS } from '../../../lib/config/limits.ts';
import { type LoadOptions, validateConfig } from '../../../lib/config/load-config.ts';
import { estimateYamlNodes, MAX_PROBLEMS_PER_DOCUMENT } from '../../../lib/config/parse-config.ts';
import { formatProblem } from '../../../lib/errors.ts';
import { configDir, ENVIRONMENT_YAML, topicYaml } from '../../support/builders.ts';

const BAD_TOPIC = topicYaml('broken', '{ partitions: 0, replicationFactor: 1 }');

async function problemsOf(files: Record<string, string>, overrides: Partial<ConfigLimits> = {}): Promise<string[]> {
  const dir = await configDir(files);
  const options: LoadOptions = { limits: { ...DEFAULT_CONFIG_LIMITS, ...overrides } };
  return (await validateConfig(dir, options)).map((p) => formatProblem(p).replaceAll(`${dir}/`, ''));
}

/** The classic "billion laughs": each level is ten aliases of the one before. */
function aliasBomb(levels: number): string {
  const lines = ['apiVersion: landscape.dev/v1', 'kind: Topic', 'metadata: { name: lol }', 'lol0: &l0 "lol"'];
  for (let i = 1; i <= levels; i++)
    lines.push(
      `lol${i}: &l${i} [${Array(10)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  return `${lines.join('\n')}\n`;
}

describe('parsing hostile YAML', () => {
  it('reports an alias bomb at the first alias and goes on validating', async () => {
    const problems = await problemsOf({ 'a.yaml': aliasBomb(9), 'b.yaml': BAD_TOPIC, 'env.yaml': ENVIRONMENT_YAML });
    expect(problems[0]).toBe(
      'a.yaml:5:12: YAML aliases expand to too much data (Excessive alias count indicates a resource exhaustion attack) (write the values out instead of aliases of aliases)',
    );
    expect(problems.some((p) => p.startsWith('b.yaml:4:') && p.includes('spec.partitions'))).toBe(true);
  });

  it('refuses more aliases in a document than the limit (resolving each one scans the document)', async () => {
    const aliases = Array(1001).fill('*a').join(', ');
    const problems = await problemsOf({
      'env.yaml': ENVIRONMENT_YAML,
      'a.yaml': `${topicYaml('t', '{ partitions: 1, replicationFactor: 1 }')}x: &a 1\ny: [${aliases}]\n`,
    });
    expect(problems).toEqual([
      `a.yaml:6:${5 + 1000 * 4}: YAML aliases: more than 1000 in one document (the limit) (write the values out, or raise LANDSCAPE_MAX_CONFIG_ALIASES)`,
    ]);
  });

  it('refuses a file with more YAML nodes than the limit without parsing it', async () => {
    // 600,000 list items in 1.2 MB: under the byte limit, but it would take ~750 MB once parsed.
    const problems = await problemsOf({
      'env.yaml': ENVIRONMENT_YAML,
      'flow.yaml': `x: [${'1,'.repeat(600_000)}1]\n`,
    });
    expect(problems).toEqual([
      'flow.yaml:1:1: has about 600004 YAML nodes, more than the limit of 500000 (split the configuration, or raise LANDSCAPE_MAX_CONFIG_NODES)',
    ]);
  });

  it('counts the node limit over all files together', async () => {
    const other = BAD_TOPIC.replace('broken', 'other');
    const limit = estimateYamlNodes(ENVIRONMENT_YAML) + estimateYamlNodes(BAD_TOPIC) + 1;
    const problems = await problemsOf(
      { 'a-env.yaml': ENVIRONMENT_YAML, 'b.yaml': BAD_TOPIC, 'c.yaml': other },
      { maxYamlNodes: limit },
    );
    expect(problems[0]).toBe(
      `c.yaml:1:1: has about ${estimateYamlNodes(other)} YAML nodes; with the files before it that is more than the limit of ${limit} (split the configuration, or raise LANDSCAPE_MAX_CONFIG_NODES)`,
    );
    expect(problems.some((p) => p.startsWith('b.yaml:4:'))).toBe(true);
  });

  it('refuses nesting deeper than the limit at the line where it gets too deep', async () => {
    const nested = `${'['.repeat(100)}${']'.repeat(100)}`;
    const problems = await problemsOf({
      'env.yaml': ENVIRONMENT_YAML,
      'deep.yaml': `${topicYaml('t', '{ partitions: 1, replicationFactor: 1 }')}x:\n  ${nested}\n`,
    });
    expect(problems).toEqual([
      'deep.yaml:6:66: nested deeper than 64 levels (the limit) (flatten it, or raise LANDSCAPE_MAX_CONFIG_DEPTH)',
    ]);
  });

  it('reports repeated keys of block and flow mappings at the repeated key', async () => {
    const problems = await problemsOf({
      'env.yaml': ENVIRONMENT_YAML,
      't.yaml': `${topicYaml('t', '{ partitions: 1, partitions: 2, replicationFactor: 1 }')}---\n${topicYaml('u', '{ partitions: 1, replicationFactor: 1 }')}kind: Topic\n`,
    });
    expect(problems).toEqual([
      't.yaml:4:24: YAML syntax: Map keys must be unique (remove the repeated key)',
      't.yaml:10:1: YAML syntax: Map keys must be unique (remove the repeated key)',
    ]);
  });

  it(`lists at most ${MAX_PROBLEMS_PER_DOCUMENT} problems of a document, then how many more`, async () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `bogus.key.${i}: x`).join(', ');
    const problems = await problemsOf({
      'env.yaml': ENVIRONMENT_YAML,
      't.yaml': topicYaml('t', `{ partitions: 1, replicationFactor: 1, config: { ${keys} } }`),
    });
    expect(problems).toHaveLength(MAX_PROBLEMS_PER_DOCUMENT + 1);
    expect(problems[0]).toMatch(/^t\.yaml:4:\d+: Topic "t" spec\.config\.bogus\.key\.0: unknown topic config/);
    expect(problems.at(-1)).toBe(
      `t.yaml:1:1: Topic "t": ${2000 - MAX_PROBLEMS_PER_DOCUMENT} more problems in this document not listed (fix the ones above and validate again)`,
    );
  });

  it('answers a megabyte-long unknown key without comparing it to every known name', async () => {
    const key = 'k'.repeat(1024 * 1024);
    const problems = await problemsOf({
      'env.yaml': ENVIRONMENT_YAML,
      't.yaml': topicYaml('t', `{ partitions: 1, replicationFactor: 1, config: { ${key}: x } }`),
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^t\.yaml:4:\d+: Topic "t" spec\.config\.k+: unknown topic config "k+"$/);
  });
});
