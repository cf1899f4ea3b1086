import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ConfigLimits, configLimitsFrom, DEFAULT_CONFIG_LIMITS } from '../../../lib/config/limits.ts';
import { type LoadOptions, loadConfig, validateConfig } from '../../../lib/config/load-config.ts';
import { ConfigError, formatProblem } from '../../../lib/errors.ts';
import { documentsOfKind } from '../../../lib/model/documents.ts';
import { configDir, ENVIRONMENT_YAML, topicYaml } from '../../support/builders.ts';

const TOPIC = topicYaml('orders', '{ partitions: 1, replicationFactor: 1 }');
const BAD_TOPIC = topicYaml('broken', '{ partitions: 0, replicationFactor: 1 }');

async function problemsOf(dir: string, options: LoadOptions = {}): Promise<string[]> {
  return (await validateConfig(dir, options)).map((p) => formatProblem(p).replaceAll(`${dir}/`, ''));
}

function limits(overrides: Partial<ConfigLimits>): LoadOptions {
  return { limits: { ...DEFAULT_CONFIG_LIMITS, ...overrides } };
}

/** A directory outside every config directory of the tests, holding what links point at. */
async function outsideFile(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'landscape-outside-'));
  await writeFile(join(dir, name), text);
  return join(dir, name);
}

describe('reading the config tree', () => {
  it('refuses a FIFO named *.yaml without waiting for a writer, and reads the other files', async () => {
    const dir = await configDir({ 'env.yaml': ENVIRONMENT_YAML, 'z.yaml': BAD_TOPIC });
    execFileSync('mkfifo', [join(dir, 'x.yaml')]);
    const problems = await problemsOf(dir);
    expect(problems).toContain('x.yaml:1:1: is not a regular file (a FIFO) (remove or rename it)');
    expect(problems.some((p) => p.startsWith('z.yaml:4:') && p.includes('spec.partitions'))).toBe(true);
  });

  it('refuses a *.yaml link to a device such as /dev/urandom without reading it', async () => {
    const dir = await configDir({ 'env.yaml': ENVIRONMENT_YAML });
    await symlink('/dev/urandom', join(dir, 'random.yaml'));
    await symlink('/dev/zero', join(dir, 'zero.yml'));
    expect(await problemsOf(dir)).toEqual([
      'random.yaml:1:1: is a symbolic link to a file outside the config directory (config files and Schema files must be inside the config directory; copy the file in)',
      'zero.yml:1:1: is a symbolic link to a file outside the config directory (config files and Schema files must be inside the config directory; copy the file in)',
    ]);
  });

  it('refuses links to regular files outside the config directory', async () => {
    const dir = await configDir({ 'env.yaml': ENVIRONMENT_YAML });
    await symlink(await outsideFile('t.yaml', TOPIC), join(dir, 'topics.yaml'));
    expect(await problemsOf(dir)).toEqual([
      'topics.yaml:1:1: is a symbolic link to a file outside the config directory (config files and Schema files must be inside the config directory; copy the file in)',
    ]);
  });

  it('follows links that stay inside the config directory', async () => {
    const dir = await configDir({ 'env.yaml': ENVIRONMENT_YAML, 'shared/orders.txt': TOPIC });
    await symlink('shared/orders.txt', join(dir, 'orders.yaml'));
    const config = await loadConfig(dir, 'test');
    expect(documentsOfKind(config.documents, 'Topic').map((t) => t.metadata.name)).toEqual(['orders']);
  });

  it('reports a broken link at its file and goes on validating', async () => {
    const dir = await configDir({ 'env.yaml': ENVIRONMENT_YAML, 'b.yaml': BAD_TOPIC });
    await symlink('gone.txt', join(dir, 'a.yaml'));
    const problems = await problemsOf(dir);
    expect(problems[0]).toBe(
      'a.yaml:1:1: is a broken symbolic link (point it at a file inside the config directory, or remove it)',
    );
    expect(problems.some((p) => p.startsWith('b.yaml:4:') && p.includes('spec.partitions'))).toBe(true);
  });

  it('refuses a *.yaml link to a directory', async () => {
    const dir = await configDir({ 'env.yaml': ENVIRONMENT_YAML, 'sub/t.txt': TOPIC });
    await symlink('sub', join(dir, 'd.yaml'));
    expect(await problemsOf(dir)).toEqual(['d.yaml:1:1: is not a regular file (a directory) (remove or rename it)']);
  });

  it('refuses a file above the size limit before parsing it, naming the limit and how to raise it', async () => {
    // The 50 MB single-line flow list ran out of memory: anything above the limit is never parsed.
    const dir = await configDir({
      'env.yaml': ENVIRONMENT_YAML,
      'big.yaml': `x: [${'1,'.repeat(DEFAULT_CONFIG_LIMITS.maxFileBytes / 2)}1]\n`,
    });
    expect(await problemsOf(dir)).toEqual([
      'big.yaml:1:1: is larger than the limit of 4 MiB (split it into smaller files, or raise LANDSCAPE_MAX_CONFIG_FILE_BYTES)',
    ]);
  });

  it('stops at the file count limit and says where', async () => {
    const files: Record<string, string> = { 'a-env.yaml': ENVIRONMENT_YAML };
    for (let i = 0; i < 5; i++) files[`t${i}.yaml`] = topicYaml(`t${i}`, '{ partitions: 0, replicationFactor: 1 }');
    const dir = await configDir(files);
    const problems = await problemsOf(dir, limits({ maxFiles: 3 }));
    expect(problems[0]).toBe(
      `${dir}:1:1: has more than 3 YAML files (the limit); none after t1.yaml were read (raise LANDSCAPE_MAX_CONFIG_FILES, or point Landscape at a smaller folder)`,
    );
    // Only the files within the limit were read: t0 and t1 have problems, t2..t4 were not looked at.
    expect(problems.filter((p) => p.includes('spec.partitions')).map((p) => p.slice(0, 7))).toEqual([
      't0.yaml',
      't1.yaml',
    ]);
  });

  it('stops reading when all files together pass the byte limit', async () => {
    const dir = await configDir({ 'a-env.yaml': ENVIRONMENT_YAML, 'b.yaml': TOPIC, 'c.yaml': TOPIC });
    const problems = await problemsOf(dir, limits({ maxTotalBytes: ENVIRONMENT_YAML.length + TOPIC.length + 10 }));
    expect(problems).toEqual([
      `c.yaml:1:1: reading it would pass the limit of ${ENVIRONMENT_YAML.length + TOPIC.length + 10} bytes for all config files together; it and the files after it were not read (raise LANDSCAPE_MAX_CONFIG_BYTES, or point Landscape at a smaller folder)`,
    ]);
  });

  it('reads the limits from LANDSCAPE_MAX_CONFIG_* and refuses values that are not positive integers', () => {
    expect(configLimitsFrom({ LANDSCAPE_MAX_CONFIG_FILES: '20', LANDSCAPE_MAX_CONFIG_FILE_BYTES: '' })).toEqual({
      ...DEFAULT_CONFIG_LIMITS,
      maxFiles: 20,
    });
    const error = (() => {
      try {
        return configLimitsFrom({ LANDSCAPE_MAX_CONFIG_NODES: '1e9' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map(formatProblem)).toEqual([
      'LANDSCAPE_MAX_CONFIG_NODES:1:1: expected a positive integer, got "1e9" (unset LANDSCAPE_MAX_CONFIG_NODES for the default 500000)',
    ]);
  });
});

describe('Schema spec.file', () => {
  const schemaDoc = (file: string) =>
    `apiVersion: landscape.dev/v1\nkind: Schema\nmetadata: { name: s }\nspec:\n  file: ${JSON.stringify(file)}\n`;

  it('refuses a path that leaves the config directory and never quotes the file', async () => {
    const dir = await configDir({
      'env.yaml': ENVIRONMENT_YAML,
      'schemas/s.yaml': schemaDoc('../../../../../../etc/passwd'),
    });
    const problems = await problemsOf(dir);
    expect(problems).toEqual([
      'schemas/s.yaml:5:9: Schema "s" spec.file: cannot read "../../../../../../etc/passwd": it is outside the config directory (config files and Schema files must be inside the config directory; copy the file in)',
    ]);
    expect(problems.join('\n')).not.toContain('root:');
  });

  it('refuses absolute paths at the field', async () => {
    const dir = await configDir({ 'env.yaml': ENVIRONMENT_YAML, 's.yaml': schemaDoc('/etc/passwd') });
    expect(await problemsOf(dir)).toEqual([
      's.yaml:5:9: Schema "s" spec.file: must be a path relative to the YAML file, inside the config directory',
    ]);
  });

  it('refuses a link inside the config directory that points outside it, and a link to a device', async () => {
    const secret = await outsideFile('secret.avsc', 'top secret, not a schema');
    const dir = await configDir({
      'env.yaml': ENVIRONMENT_YAML,
      's.yaml': `${schemaDoc('schemas/leak.avsc')}---\n${schemaDoc('random.avsc').replace('name: s', 'name: r')}`,
    });
    await mkdir(join(dir, 'schemas'));
    await symlink(secret, join(dir, 'schemas/leak.avsc'));
    await symlink('/dev/urandom', join(dir, 'random.avsc'));
    const problems = await problemsOf(dir);
    expect(problems).toEqual([
      's.yaml:5:9: Schema "s" spec.file: cannot read "schemas/leak.avsc": it is a symbolic link to a file outside the config directory (config files and Schema files must be inside the config directory; copy the file in)',
      's.yaml:11:9: Schema "r" spec.file: cannot read "random.avsc": it is a symbolic link to a file outside the config directory (config files and Schema files must be inside the config directory; copy the file in)',
    ]);
    expect(problems.join('\n')).not.toContain('secret');
  });

  it('refuses a FIFO and a file above the size limit', async () => {
    const dir = await configDir({
      'env.yaml': ENVIRONMENT_YAML,
      'big.avsc': `{"type":"record","name":"Big","doc":"${'x'.repeat(2000)}","fields":[]}`,
      's.yaml': `${schemaDoc('pipe.avsc')}---\n${schemaDoc('big.avsc').replace('name: s', 'name: b')}`,
    });
    execFileSync('mkfifo', [join(dir, 'pipe.avsc')]);
    expect(await problemsOf(dir, limits({ maxFileBytes: 1000 }))).toEqual([
      's.yaml:5:9: Schema "s" spec.file: cannot read "pipe.avsc": it is not a regular file (a FIFO) (remove or rename it)',
      's.yaml:11:9: Schema "b" spec.file: cannot read "big.avsc": it is larger than the limit of 1000 bytes (split it into smaller files, or raise LANDSCAPE_MAX_CONFIG_FILE_BYTES)',
    ]);
  });
});
