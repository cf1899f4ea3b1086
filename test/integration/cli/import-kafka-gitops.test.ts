import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupPrefix } from '../../../scripts/services/kafka-broker.ts';
import { appliedByKafkaGitops } from '../../fixtures/import/kafka-gitops/applied.ts';
import { applyAsTool, type ImportRun, importThenPlan, removeAsTool } from '../../support/import-acceptance.ts';
import { renamer } from '../../support/import-fixtures.ts';
import { uniquePrefix } from '../../support/kafka.ts';

const prefix = uniquePrefix('it-import-kg');
const n = renamer(prefix);

const applied = appliedByKafkaGitops(n);

let run: ImportRun;

beforeAll(async () => {
  await applyAsTool(applied);
  run = await importThenPlan('kafka-gitops', ['state.yaml'], n);
});

afterAll(async () => {
  await removeAsTool(applied);
  await cleanupPrefix(prefix);
});

describe('landscape import --from kafka-gitops, against what kafka-gitops applied', () => {
  it('imports the state file, and the plan against the same broker has no changes', () => {
    process.stdout.write(`kafka-gitops: ${run.imported.stdout}`);
    expect(run.imported.stderr).toContain('topics.blacklist is not needed');
    expect(run.imported.code).toBe(0);
    expect([...run.files.keys()].sort()).toEqual(['access.yaml', 'acls.yaml', 'topic-defaults.yaml', 'topics.yaml']);
    expect(run.plan.stdout, run.plan.stdout + run.plan.stderr).toContain('No changes');
    expect(run.plan.code).toBe(0);
  });
});
