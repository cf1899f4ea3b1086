import { existsSync } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AclOperations,
  AclPermissionTypes,
  type Admin,
  ConfigResourceTypes,
  IncrementalAlterConfigOperationTypes,
  ResourcePatternTypes,
  ResourceTypes,
} from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupPrefix, rawAdmin } from '../../../scripts/services/kafka-broker.ts';
import { environmentYaml, topicYaml, writeFiles } from '../../support/builders.ts';
import { cliWorkspace, landscapeCli } from '../../support/cli/landscape-cli.ts';
import { commitAll, git } from '../../support/git.ts';
import { testEnvironmentYaml, uniquePrefix } from '../../support/kafka.ts';

const prefix = uniquePrefix('it-truth');
let admin: Admin;
const PRUNE_TOPICS_AND_ACLS = { prune: ['Topic', 'Acl'], requireApprovalFor: 'none' } as const;

beforeAll(() => {
  admin = rawAdmin('it-truth');
});

afterAll(async () => {
  await cleanupPrefix(prefix);
  await admin.close();
});

describe('validate tells what plan would refuse, at file:line, with the fix', () => {
  it('rejects an App in an Environment without Kubernetes, and a prefixed ACL name ending in "*"', async () => {
    const { dir, cli } = await cliWorkspace('validate');
    await writeFiles(dir, {
      'env.yaml': environmentYaml({ name: 'dev' }), // no spec.kubernetes
      'app.yaml': `apiVersion: landscape.dev/v1
kind: App
metadata: { name: enricher }
spec:
  principal: User:enricher
  consumes: [orders]
  runtime: { type: container, image: "example/enricher:1" }
`,
    });
    const app = await cli('validate', '.');
    expect(app.code).toBe(1);
    expect(app.stderr).toContain(
      'app.yaml:1:1: App "enricher": needs a Kubernetes connection, but Environment "dev" has none (add spec.kubernetes to the Environment)',
    );

    await writeFiles(dir, {
      'app.yaml': '',
      'acl.yaml': `apiVersion: landscape.dev/v1
kind: Acl
metadata: { name: events-readers }
spec:
  principal: User:reader
  resource: { type: topic, name: "events-*", patternType: prefixed }
  operations: [read]
`,
    });
    const acl = await cli('validate', '.');
    expect(acl.code).toBe(1);
    expect(acl.stderr).toContain(
      'acl.yaml:6:34: Acl "events-readers" spec.resource.name: "events-*": a prefixed name is matched literally ("*" is not a wildcard); write name: "events-" with patternType: prefixed',
    );
  });
});

describe('plan and drift tell the whole truth against a real broker', () => {
  it('partitions added out of band: drift reports it (exit 2), plan refuses it as an error (exit 1)', async () => {
    // Prepare
    const { dir, cli } = await cliWorkspace('partitions');
    const topic = `${prefix}grown`;
    await writeFiles(dir, {
      'env.yaml': testEnvironmentYaml('grown', PRUNE_TOPICS_AND_ACLS),
      'topics.yaml': topicYaml(topic),
    });
    expect((await cli('apply', '.', '--env', 'grown', '--auto-approve')).code).toBe(0);
    await admin.createPartitions({ topics: [{ name: topic, count: 3 }] });

    // Act
    const drift = await cli('drift', '.', '--env', 'grown');
    const plan = await cli('plan', '.', '--env', 'grown', '--out', 'plan.json');

    // Assess
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain(
      `  refused  Topic ${topic} [PartitionDecrease]: partitions can only grow: live has 3, git asks for 1`,
    );
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain('plan error: 1 change(s) refused');
    expect(plan.stderr).toContain(`Topic ${topic} [PartitionDecrease]: partitions can only grow: live has 3`);
    expect(existsSync(join(dir, 'plan.json'))).toBe(false);
  });

  it('names unmanaged resources and the unmanaged grants that reach managed topics', async () => {
    // Prepare: a managed topic, a DENY on it and a prefixed ALLOW over it, both made by hand (under a prefix of
    // their own: the other tests' topics must not be reached).
    const { dir, cli } = await cliWorkspace('grants');
    const guarded = `${prefix}guard-`;
    const topic = `${guarded}orders`;
    await writeFiles(dir, {
      'env.yaml': testEnvironmentYaml('grants', PRUNE_TOPICS_AND_ACLS),
      'topics.yaml': topicYaml(topic),
    });
    expect((await cli('apply', '.', '--env', 'grants', '--auto-approve')).code).toBe(0);
    await admin.createAcls({
      creations: [
        {
          resourceType: ResourceTypes.TOPIC,
          resourceName: topic,
          resourcePatternType: ResourcePatternTypes.LITERAL,
          principal: `User:${prefix}blocked`,
          host: '*',
          operation: AclOperations.WRITE,
          permissionType: AclPermissionTypes.DENY,
        },
        {
          resourceType: ResourceTypes.TOPIC,
          resourceName: guarded,
          resourcePatternType: ResourcePatternTypes.PREFIXED,
          principal: `User:${prefix}reader`,
          host: '*',
          operation: AclOperations.READ,
          permissionType: AclPermissionTypes.ALLOW,
        },
      ],
    });

    // Act
    const drift = await cli('drift', '.', '--env', 'grants');
    const plan = await cli('plan', '.', '--env', 'grants');

    // Assess
    expect(drift.code).toBe(2);
    for (const output of [drift.stdout, plan.stdout]) {
      expect(output).toMatch(
        /Unmanaged: \d+ live resource\(s\) not in git and not created by Landscape, left alone:\n {2}\S/,
      );
      expect(output).toContain(`  User:${prefix}blocked DENY write topic:${topic} -> ${topic}`);
      expect(output).toContain(`  User:${prefix}reader read topic:${guarded}* -> ${topic}`);
    }
    expect(drift.stdout).toContain('Declare the unmanaged grants in git, or remove them from the cluster.');
  });

  it('says what git says of a setting removed from it, never "null"', async () => {
    const { dir, cli } = await cliWorkspace('removed');
    const topic = `${prefix}removed-setting`;
    await writeFiles(dir, {
      'env.yaml': testEnvironmentYaml('removed', PRUNE_TOPICS_AND_ACLS),
      'topics.yaml': topicYaml(topic, { config: { 'retention.ms': '86400000' } }),
    });
    expect((await cli('apply', '.', '--env', 'removed', '--auto-approve')).code).toBe(0);
    await writeFiles(dir, { 'topics.yaml': topicYaml(topic) });

    const drift = await cli('drift', '.', '--env', 'removed');

    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain(
      `  changed  Topic ${topic} config.retention.ms: git no longer sets it, live is "86400000"`,
    );
    expect(drift.stdout).not.toContain('null');
  });

  it('outside a git checkout, drift says it cannot know the applied commit instead of "nothing applied yet"', async () => {
    const { dir, cli } = await cliWorkspace('nogit');
    await writeFiles(dir, {
      'env.yaml': testEnvironmentYaml('nogit', PRUNE_TOPICS_AND_ACLS),
      'topics.yaml': topicYaml(`${prefix}nogit`),
    });
    expect((await cli('apply', '.', '--env', 'nogit', '--auto-approve')).code).toBe(0);

    const drift = await cli('drift', '.', '--env', 'nogit');

    expect(drift.code).toBe(0);
    expect(drift.stderr).not.toContain('nothing applied');
    expect(drift.stderr).toContain(
      '"nogit" was applied through this state directory, but from a directory that is not a git checkout, so no applied commit was recorded',
    );
    expect(drift.stdout).toContain('No drift: "nogit" matches .');
  });

  it('checks drift against an older applied commit in a temporary checkout, and removes it afterwards', async () => {
    // Prepare: c1 applied, HEAD moved on to c2 (not applied); drift runs with its own temporary directory.
    const { dir, state } = await cliWorkspace('olddrift');
    const temp = await mkdtemp(join(tmpdir(), 'landscape-olddrift-tmp-'));
    const cli = (...args: string[]) => landscapeCli(args, { cwd: dir, state, env: { TMPDIR: temp } });
    const topic = `${prefix}old-commit`;
    await git(dir, 'init', '-q', '-b', 'main');
    await writeFiles(dir, {
      'env.yaml': testEnvironmentYaml('olddrift', PRUNE_TOPICS_AND_ACLS),
      'topics.yaml': topicYaml(topic, { config: { 'retention.ms': '86400000' } }),
    });
    const c1 = await commitAll(dir, 'c1');
    expect((await cli('apply', '.', '--env', 'olddrift', '--auto-approve')).code).toBe(0);
    await writeFiles(dir, { 'topics.yaml': topicYaml(topic, { config: { 'retention.ms': '172800000' } }) });
    await commitAll(dir, 'c2: not applied');
    await admin.incrementalAlterConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.TOPIC,
          resourceName: topic,
          configs: [{ name: 'retention.ms', value: '1000', configOperation: IncrementalAlterConfigOperationTypes.SET }],
        },
      ],
    });

    // Act
    const drift = await cli('drift', '.', '--env', 'olddrift');

    // Assess: compared with c1 (not HEAD), and nothing left behind.
    expect(drift.stderr).toContain(`checking drift against applied commit ${c1.slice(0, 12)}`);
    expect(drift.stdout).toContain(`config.retention.ms: git says "86400000", live is "1000"`);
    expect(drift.code).toBe(2);
    expect(await readdir(temp)).toEqual([]);
  });
});
