import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { FileStateStore } from '../../../../lib/adapters/store/file-state-store.ts';
import { ReconcilerError } from '../../../../lib/errors.ts';
import type { Inventory } from '../../../../lib/model/resource.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../../../bin/landscape.ts');
const inventory: Inventory = { 'kafka/topic/orders': { key: 'kafka/topic/orders', kind: 'Topic' } };

async function appliedStore(): Promise<{ root: string; store: FileStateStore; file: string }> {
  const root = await mkdtemp(join(tmpdir(), 'landscape-damaged-'));
  const store = new FileStateStore(root);
  await store.saveInventory('prod', inventory);
  await store.setApplied({ environment: 'prod', commit: 'c'.repeat(40), planId: 'p-1', at: '2026-11-26T10:00:00Z' });
  return { root, store, file: join(root, 'environments', 'prod', 'inventory.json') };
}

/** The error a promise rejects with, as code and message. */
async function failure(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await promise;
    return { message: 'resolved' };
  } catch (error) {
    return { ...(error instanceof ReconcilerError ? { code: error.code } : {}), message: (error as Error).message };
  }
}

describe('FileStateStore over damaged state', () => {
  it('refuses a truncated inventory, naming the file and the fix, instead of reading it as empty', async () => {
    const { store, file } = await appliedStore();
    await writeFile(file, (await readFile(file, 'utf8')).slice(0, 15));
    const error = await failure(store.getInventory('prod'));
    expect(error.code).toBe('StateDamaged');
    expect(error.message).toContain(`state "${file}" is damaged`);
    expect(error.message).toContain('restore it from a backup');
  });

  it('refuses an inventory that is JSON but not an inventory', async () => {
    const { store, file } = await appliedStore();
    for (const text of [
      '[]',
      '"orders"',
      '{"kafka/topic/orders": 5}',
      '{"kafka/topic/a": {"key": "b", "kind": "Topic"}}',
    ]) {
      await writeFile(file, text);
      expect((await failure(store.getInventory('prod'))).code).toBe('StateDamaged');
    }
  });

  it('refuses a missing inventory once a commit was applied, and answers {} for a never-applied environment', async () => {
    const { root, store } = await appliedStore();
    await writeFile(join(root, 'environments', 'prod', 'inventory.json'), '');
    expect((await failure(store.getInventory('prod'))).message).toContain('the file is empty');
    await rm(join(root, 'environments', 'prod', 'inventory.json'));
    const missing = await failure(store.getInventory('prod'));
    expect(missing.code).toBe('StateDamaged');
    expect(missing.message).toContain(`it is missing, although commit ${'c'.repeat(12)} was applied`);
    expect(await store.getInventory('staging')).toEqual({});
  });

  it('names every other damaged state file too: applied commit, plan, value', async () => {
    const { root, store } = await appliedStore();
    await writeFile(join(root, 'environments', 'prod', 'applied.json'), '{"environment":');
    await mkdir(join(root, 'plans'), { recursive: true });
    await writeFile(join(root, 'plans', 'p-2.json'), '{');
    await mkdir(join(root, 'values'), { recursive: true });
    await writeFile(join(root, 'values', 'drift_prod.json'), 'not json');
    // One read at a time: reads started together would reject before the loop awaits them (unhandled).
    for (const [read, file] of [
      [() => store.getApplied('prod'), 'applied.json'],
      [() => store.getPlan('p-2'), 'p-2.json'],
      [() => store.getValue('drift/prod'), 'drift_prod.json'],
    ] as const) {
      const error = await failure(read());
      expect(error.code).toBe('StateDamaged');
      expect(error.message).toContain(file);
    }
  });

  it('makes `landscape drift` fail with the file and the fix instead of reporting "No drift"', async () => {
    // Prepare: an applied environment whose inventory was cut short (the broker is never reached).
    const { root, file } = await appliedStore();
    await writeFile(file, '{"kafka/topic/orders": {"key": "kafka/to');
    const dir = await mkdtemp(join(tmpdir(), 'landscape-damaged-config-'));
    await writeFile(
      join(dir, 'env.yaml'),
      'apiVersion: landscape.dev/v1\nkind: Environment\nmetadata: { name: prod }\nspec:\n  kafka: { bootstrapServers: ["127.0.0.1:9"] }\n',
    );

    // Act
    const result = await run(process.execPath, [BIN, 'drift', dir, '--env', 'prod', '--state', root]).then(
      () => ({ code: 0, stdout: '', stderr: '' }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );

    // Assess
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('No drift');
    expect(result.stderr).toContain(`error (StateDamaged): state "${file}" is damaged`);
    expect(result.stderr).toContain('Prunes and drift checks are refused until then');
  });
});
