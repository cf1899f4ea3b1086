import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupPrefix } from '../../../scripts/services/kafka-broker.ts';
import { appliedByJikkou } from '../../fixtures/import/jikkou/applied.ts';
import { applyAsTool, type ImportRun, importThenPlan, removeAsTool } from '../../support/import-acceptance.ts';
import { renamer } from '../../support/import-fixtures.ts';
import { uniquePrefix } from '../../support/kafka.ts';

const prefix = uniquePrefix('it-import-jk');
const n = renamer(prefix);

const applied = appliedByJikkou(n);

let run: ImportRun;

beforeAll(async () => {
  await applyAsTool(applied);
  run = await importThenPlan('jikkou', ['topics.yaml', 'access.yaml'], n);
});

afterAll(async () => {
  await removeAsTool(applied);
  await cleanupPrefix(prefix);
});

describe('landscape import --from jikkou, against what jikkou applied', () => {
  it('imports the resources, and the plan against the same broker has no changes', () => {
    process.stdout.write(`jikkou: ${run.imported.stdout}`);
    expect(run.imported.stderr).toMatch(
      /access\.yaml:48: ACL of "User:[^"]+acme-orders" on topic "[^"]+acme-\.\*-events" \(MATCH\)/,
    );
    expect(run.imported.code).toBe(2);
    expect([...run.files.keys()].sort()).toEqual([
      'access.yaml',
      'acls.yaml',
      'quotas.yaml',
      'topics.yaml',
      'users.yaml',
    ]);
    expect(run.plan.stdout, run.plan.stdout + run.plan.stderr).toContain('No changes');
    expect(run.plan.code).toBe(0);
  });
});
