import { execFile } from 'node:child_process';
import { appendFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { FileStateStore } from '../../../../lib/adapters/store/file-state-store.ts';
import type { ApplyAuditRecord, AuditRecord } from '../../../../lib/model/audit.ts';
import type { SkippedAuditRecords } from '../../../../lib/ports/state-store.ts';
import { listAuditRecords } from '../../../../lib/use-cases/operations.ts';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../../../bin/landscape.ts');

const record = (id: string, outcome: ApplyAuditRecord['outcome']): AuditRecord => ({
  id,
  at: `2026-11-26T10:00:0${id.slice(-1)}.000Z`,
  type: 'apply',
  environment: 'prod',
  actor: 'ann@cli',
  outcome,
});

/** A store whose audit file has a record cut short mid-write (a crash or a full disk), then a later record. */
async function tornAudit(): Promise<{ root: string; store: FileStateStore }> {
  const root = await mkdtemp(join(tmpdir(), 'landscape-audit-'));
  const store = new FileStateStore(root);
  await store.appendAudit(record('r1', 'Started'));
  await appendFile(join(root, 'audit', 'prod.jsonl'), '{"id":"r-torn","at":"2026-11-26T10:00:0');
  await store.appendAudit(record('r2', 'Succeeded'));
  return { root, store };
}

describe('FileStateStore audit trail', () => {
  it('keeps a record appended after a torn line, skips the torn line and says how many and where', async () => {
    // Prepare
    const { root, store } = await tornAudit();
    const skipped: SkippedAuditRecords[] = [];

    // Act
    const records = await store.listAudit('prod', 100, { onSkipped: (s) => skipped.push(s) });

    // Assess
    expect(records.map((r) => r.id)).toEqual(['r2', 'r1']);
    expect(skipped).toEqual([{ count: 1, where: `${join(root, 'audit', 'prod.jsonl')} line 2` }]);
  });

  it('lets `landscape audit` list the readable records and warn about the torn one instead of crashing', async () => {
    // Prepare
    const { root } = await tornAudit();

    // Act
    const { stdout, stderr } = await run(process.execPath, [BIN, 'audit', '--env', 'prod', '--state', root]);

    // Assess
    expect(stdout.trim().split('\n')).toHaveLength(2);
    expect(stdout).toContain('Succeeded');
    expect(stderr).toContain('warning: skipped 1 damaged audit record');
    expect(stderr).toContain('prod.jsonl line 2');
  });
});

describe('GET /audit over a torn audit trail', () => {
  it('answers the readable records with the number skipped', async () => {
    const { store } = await tornAudit();
    const answer = await listAuditRecords({ store }, 'prod', '10');
    expect(answer.records.map((r) => r.id)).toEqual(['r2', 'r1']);
    expect(answer.skipped).toBe(1);
  });
});
