import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileLocker } from '../../../lib/adapters/store/file-locker.ts';
import type { Inventory } from '../../../lib/model/resource.ts';
import type { AuditRecord } from '../../../lib/ports/state-store.ts';
import { cleanupPrefix, rawAdmin } from '../../../scripts/services/kafka-broker.ts';
import { topicYaml, writeFiles } from '../../support/builders.ts';
import { type CliResult, cliWorkspace, landscapeCli } from '../../support/cli/landscape-cli.ts';
import { testEnvironmentYaml, uniquePrefix } from '../../support/kafka.ts';

/**
 * An apply killed mid-way (SIGKILL right after the broker answered the CreateTopics batch, before anything
 * else ran) against the real broker: every topic it created must be Landscape's afterwards, so later runs
 * prune or keep them like any other, and the lock it left must not block the next run.
 */
const prefix = uniquePrefix('it-crash');
const admin = rawAdmin('it-crash');

afterAll(async () => {
  await admin.close();
  await cleanupPrefix(prefix);
});

async function landscape(dir: string, state: string, args: string[], killOn?: string): Promise<CliResult> {
  return landscapeCli(args, {
    cwd: dir,
    state,
    env: { LANDSCAPE_ACTOR: 'crash-test@cli' },
    ...(killOn ? { killOn } : {}),
  });
}

function config(env: string, names: string[]): Record<string, string> {
  return {
    'env.yaml': testEnvironmentYaml(env, { prune: ['Topic'], requireApprovalFor: 'none' }),
    'topics.yaml': names.map((n) => topicYaml(`${prefix}${env}.${n}`)).join('---\n'),
  };
}

async function workspace(env: string, names: string[]): Promise<{ dir: string; state: string }> {
  const { dir, state } = await cliWorkspace('crash');
  await writeFiles(dir, config(env, names));
  return { dir, state };
}

const key = (env: string, name: string) => `kafka/topic/${prefix}${env}.${name}`;
const inventoryOf = async (state: string, env: string): Promise<Inventory> =>
  JSON.parse(await readFile(join(state, 'environments', env, 'inventory.json'), 'utf8')) as Inventory;
const liveTopics = async (env: string) =>
  (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}${env}.`)).sort();

/** Applies three topics and is killed right after the broker created them. */
async function applyAndCrash(env: string): Promise<{ dir: string; state: string }> {
  const ws = await workspace(env, ['a', 'b', 'c']);
  const crashed = await landscape(
    ws.dir,
    ws.state,
    ['apply', '.', '--env', env, '--auto-approve'],
    'kafka: creating topics:',
  );
  expect(crashed.signal).toBe('SIGKILL');
  expect(await liveTopics(env)).toEqual(['a', 'b', 'c'].map((n) => `${prefix}${env}.${n}`));
  return ws;
}

describe('an apply killed after its create batch', () => {
  it('leaves every created topic owned: the next run prunes the one removed from git and keeps the rest', async () => {
    // Prepare
    const env = 'crash1';
    const { dir, state } = await applyAndCrash(env);
    const journal = await inventoryOf(state, env);
    expect(Object.keys(journal).sort()).toEqual([key(env, 'a'), key(env, 'b'), key(env, 'c')]);
    const audit = JSON.parse((await landscape(dir, state, ['audit', '--env', env, '--json'])).stdout) as AuditRecord[];
    expect(audit.find((r) => r.type === 'apply')?.outcome).toBe('Started');

    // Act: "c" is removed from git; the next apply runs at once (the killed process's lock is not in the way).
    await writeFile(join(dir, 'topics.yaml'), config(env, ['a', 'b'])['topics.yaml'] as string);
    const planned = await landscape(dir, state, ['plan', '.', '--env', env]);
    const next = await landscape(dir, state, ['apply', '.', '--env', env, '--auto-approve']);

    // Assess
    expect(planned.stdout).toContain(`delete Topic ${prefix}${env}.c`);
    expect(planned.stdout).not.toContain(`kafka/topic/${prefix}${env}.`); // none of ours is Unmanaged
    expect(next.code).toBe(0);
    expect(next.stdout).toContain(`delete ${key(env, 'c')}`);
    expect(await liveTopics(env)).toEqual([`${prefix}${env}.a`, `${prefix}${env}.b`]);
    const inventory = await inventoryOf(state, env);
    expect(Object.keys(inventory).sort()).toEqual([key(env, 'a'), key(env, 'b')]);
    for (const entry of Object.values(inventory)) expect(entry).not.toHaveProperty('adopted');
    for (const entry of Object.values(inventory)) expect(entry).not.toHaveProperty('pending');
  });

  it('is repaired by an apply whose plan is empty, which still reconciles the journal', async () => {
    // Prepare
    const env = 'crash2';
    const { dir, state } = await applyAndCrash(env);

    // Act: the same config again: every topic exists as declared, so the plan has no changes.
    const again = await landscape(dir, state, ['apply', '.', '--env', env, '--auto-approve']);

    // Assess: owned (created by Landscape), not adopted, nothing pending; prune would delete them.
    expect(again.code).toBe(0);
    const inventory = await inventoryOf(state, env);
    expect(Object.keys(inventory).sort()).toEqual([key(env, 'a'), key(env, 'b'), key(env, 'c')]);
    for (const entry of Object.values(inventory)) expect(entry).not.toHaveProperty('adopted');
    for (const entry of Object.values(inventory)) expect(entry).not.toHaveProperty('pending');
    await writeFile(join(dir, 'topics.yaml'), config(env, ['a'])['topics.yaml'] as string);
    const prune = await landscape(dir, state, ['plan', '.', '--env', env]);
    expect(prune.stdout).toContain('2 to delete');
  });

  it('says who holds the lock and how to release it when another apply is still running', async () => {
    // Prepare: this (live) process holds the environment, as a running apply would.
    const env = 'crash3';
    const { dir, state } = await workspace(env, ['a']);
    const held = await new FileLocker(state).tryLock(env, 'alice@cli', 900);
    if (!held.acquired) throw new Error('expected the lock');

    // Act
    const locked = await landscape(dir, state, ['apply', '.', '--env', env, '--auto-approve']);

    // Assess
    expect(locked.code).toBe(1);
    expect(locked.stderr).toContain(`is locked by alice@cli (pid ${process.pid} on `);
    expect(locked.stderr).toContain(`release the lock with: landscape unlock --env ${env}`);
    expect(await liveTopics(env)).toEqual([]);
  });
});
