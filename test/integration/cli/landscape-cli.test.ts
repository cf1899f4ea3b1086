import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Admin, ConfigResourceTypes, IncrementalAlterConfigOperationTypes } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../../lib/model/plan.ts';
import { cleanupPrefix, rawAdmin } from '../../../scripts/services/kafka-broker.ts';
import { topicYaml, writeFiles } from '../../support/builders.ts';
import { type CliResult, landscapeCli } from '../../support/cli/landscape-cli.ts';
import { testEnvironmentYaml } from '../../support/kafka.ts';
import { uniqueName } from '../../support/unique-name.ts';

const prefix = uniqueName('it-cli');

let dir: string;
let state: string;
let admin: Admin;

/** Runs the real CLI in the config directory, with the secrets it needs in its environment. */
async function landscape(...args: string[]): Promise<CliResult> {
  return landscapeCli(args, { cwd: dir, state, env: { CLI_USER_PASSWORD: 'cli-user-secret-value' } });
}

const environment = (requireApprovalFor: 'destructive' | 'all' = 'destructive') =>
  testEnvironmentYaml('it', { prune: ['Topic', 'Acl'], requireApprovalFor });

const topic = (name: string, partitions: number, retention: number) =>
  topicYaml(`${prefix}.${name}`, { partitions, config: { 'retention.ms': String(retention) } });

async function liveRetention(name: string): Promise<string | undefined> {
  const [described] = await admin.describeConfigs({
    resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: `${prefix}.${name}` }],
  });
  return described?.configs.find((c) => c.name === 'retention.ms')?.value ?? undefined;
}

/**
 * Keeps only this file's documents in an exported directory (and its Environment). The export holds the whole
 * shared cluster, where other test files create and delete resources at the same time: planning all of it
 * would see their changes, not this file's.
 */
async function keepOwnDocuments(exportDir: string): Promise<void> {
  for (const file of await readdir(exportDir)) {
    if (file === 'environment.yaml') continue;
    const documents = (await readFile(join(exportDir, file), 'utf8')).split(/^---\n/m);
    await writeFile(join(exportDir, file), documents.filter((d) => d.includes(prefix)).join('---\n'));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'landscape-cli-'));
  state = await mkdtemp(join(tmpdir(), 'landscape-state-'));
  admin = rawAdmin('it-cli');
});

afterAll(async () => {
  await admin.close();
  await cleanupPrefix(prefix);
});

describe('landscape CLI against a real broker', () => {
  it('plans, applies, and then plans no changes', async () => {
    await writeFiles(dir, {
      'env.yaml': environment(),
      'topics.yaml': `${topic('orders', 2, 86400000)}---\n${topic('refunds', 1, 3600000)}`,
      'acl.yaml': `apiVersion: landscape.dev/v1\nkind: Acl\nmetadata: { name: reader }\nspec:\n  principal: User:${prefix}-reader\n  resource: { type: topic, name: ${prefix}.orders }\n  operations: [read, describe]\n`,
    });
    const planned = await landscape('plan', '.', '--env', 'it', '--out', 'plan.json');
    expect(planned.code).toBe(2);
    expect(planned.stdout).toContain('4 to create');

    const applied = await landscape('apply', 'plan.json');
    expect(applied.stdout).toContain('Apply Succeeded: 4 succeeded');
    expect(applied.code).toBe(0);
    expect(await liveRetention('orders')).toBe('86400000');

    const again = await landscape('plan', '.', '--env', 'it');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No changes');
  });

  it('reports file and line for bad input and changes nothing', async () => {
    await writeFiles(dir, { 'bad.yaml': topic('bad', -1, 1000) });
    const result = await landscape('plan', '.', '--env', 'it');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('bad.yaml:4:21: Topic "');
    expect(result.stderr).toContain('spec.partitions: expected a positive integer, got -1');
    await writeFiles(dir, { 'bad.yaml': '' });
  });

  it('updates a config in place and grows partitions, and refuses a partition decrease with the reason', async () => {
    await writeFiles(dir, { 'topics.yaml': `${topic('orders', 4, 172800000)}---\n${topic('refunds', 1, 3600000)}` });
    const grown = await landscape('apply', '.', '--env', 'it', '--auto-approve');
    expect(grown.code).toBe(0);
    expect(await liveRetention('orders')).toBe('172800000');

    await writeFiles(dir, { 'topics.yaml': `${topic('orders', 2, 172800000)}---\n${topic('refunds', 1, 3600000)}` });
    const refused = await landscape('plan', '.', '--env', 'it');
    expect(refused.stdout).toContain('[PartitionDecrease]: partitions can only grow: live has 4, git asks for 2');
    // A refused change is a plan error: git asks for something apply cannot do.
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('plan error: 1 change(s) refused');
    await writeFiles(dir, { 'topics.yaml': `${topic('orders', 4, 172800000)}---\n${topic('refunds', 1, 3600000)}` });
  });

  it('shows drift after an out-of-band change, field by field, and apply restores it', async () => {
    await admin.incrementalAlterConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.TOPIC,
          resourceName: `${prefix}.orders`,
          configs: [{ name: 'retention.ms', value: '1000', configOperation: IncrementalAlterConfigOperationTypes.SET }],
        },
      ],
    });
    const drift = await landscape('drift', '.', '--env', 'it');
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain(
      `changed  Topic ${prefix}.orders config.retention.ms: git says "172800000", live is "1000"`,
    );

    expect((await landscape('apply', '.', '--env', 'it', '--auto-approve')).code).toBe(0);
    expect((await landscape('drift', '.', '--env', 'it')).code).toBe(0);
  });

  it('refuses a stale plan and names what moved', async () => {
    await writeFiles(dir, { 'topics.yaml': `${topic('orders', 4, 259200000)}---\n${topic('refunds', 1, 3600000)}` });
    expect((await landscape('plan', '.', '--env', 'it', '--out', 'stale.json')).code).toBe(2);
    await admin.incrementalAlterConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.TOPIC,
          resourceName: `${prefix}.orders`,
          configs: [{ name: 'retention.ms', value: '5000', configOperation: IncrementalAlterConfigOperationTypes.SET }],
        },
      ],
    });
    const result = await landscape('apply', 'stale.json');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('apply refused (PlanStale)');
    expect(result.stderr).toContain(`kafka/topic/${prefix}.orders`);
    expect(await liveRetention('orders')).toBe('5000');
  });

  it('deletes only what it created, only with prune on, and only with approval', async () => {
    await admin.createTopics({ topics: [`${prefix}.someone-elses`], partitions: 1, replicas: 1 });
    await writeFiles(dir, { 'topics.yaml': topic('orders', 4, 259200000) }); // refunds removed from git
    const plan = await landscape('plan', '.', '--env', 'it', '--out', 'prune.json');
    expect(plan.stdout).toContain(`- delete Topic ${prefix}.refunds  [destructive]`);
    expect(plan.stdout).not.toContain(`delete Topic ${prefix}.someone-elses`);
    const parsed = JSON.parse(await readFile(join(dir, 'prune.json'), 'utf8')) as Plan;
    expect(parsed.unmanaged).toContain(`kafka/topic/${prefix}.someone-elses`);

    const unapproved = await landscape('apply', 'prune.json');
    expect(unapproved.code).toBe(1);
    expect(unapproved.stderr).toContain('requires approval: re-run with --approve-destructive');

    const approved = await landscape('apply', 'prune.json', '--approve-destructive');
    expect(approved.code).toBe(0);
    const topics = await admin.listTopics();
    expect(topics).not.toContain(`${prefix}.refunds`);
    expect(topics).toContain(`${prefix}.someone-elses`);
  });

  it('exports the live cluster as YAML that plans to no changes, with the same state directory', async () => {
    // A user Landscape applied, from a secret reference only the state directory remembers.
    await writeFiles(dir, {
      'users.yaml': `apiVersion: landscape.dev/v1\nkind: User\nmetadata: { name: ${prefix}-user }\nspec:\n  scram:\n    - { mechanism: SCRAM-SHA-256, password: { secretRef: { provider: env, name: CLI_USER_PASSWORD } }, iterations: 4096 }\n    - { mechanism: SCRAM-SHA-512, password: { secretRef: { provider: env, name: CLI_USER_PASSWORD } } }\n`,
    });
    expect((await landscape('apply', '.', '--env', 'it', '--auto-approve')).code).toBe(0);
    const out = await mkdtemp(join(tmpdir(), 'landscape-export-'));

    const exported = await landscape('export', '.', '--env', 'it', '--out', out);
    const topics = await readFile(join(out, 'topics.yaml'), 'utf8');
    const users = await readFile(join(out, 'users.yaml'), 'utf8');
    await keepOwnDocuments(out);
    const replan = await landscape('plan', out, '--env', 'it');

    expect(exported.code).toBe(0);
    expect(topics).toContain(`name: ${prefix}.orders`);
    expect(users).toContain(`name: ${prefix}-user`);
    expect(users).toContain('mechanism: SCRAM-SHA-256');
    expect(users).toContain('name: CLI_USER_PASSWORD');
    // The super-user Landscape connects as is never exported: applying the export would adopt it.
    expect(users).not.toMatch(/^ {2}name: admin$/m);
    expect(exported.stdout).toContain(
      'not exported (protected, never managed): User "admin" (the principal Landscape connects as)',
    );
    expect(replan.stdout).toContain('0 to create, 0 to update, 0 to delete');
  });

  it('applies a plan without changes under requireApprovalFor: all without asking for approval', async () => {
    // Prepare: everything is applied; the environment now asks approval for every change.
    await writeFiles(dir, { 'env.yaml': environment('all') });
    const planned = await landscape('plan', '.', '--env', 'it', '--out', 'empty.json');
    expect(planned.code).toBe(0);

    // Act: the same rule as the pipeline's: a plan that changes nothing has nothing to approve.
    const applied = await landscape('apply', 'empty.json');

    // Assess
    expect(applied.stderr).not.toContain('requires approval');
    expect(applied.code).toBe(0);
  });
});
