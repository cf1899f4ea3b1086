import { describe, expect, it } from 'vitest';
import { appliedByKafkaGitops } from '../../fixtures/import/kafka-gitops/applied.ts';
import { importAcceptance } from '../../support/import-acceptance.ts';

const run = importAcceptance('kafka-gitops', 'kg', ['state.yaml'], appliedByKafkaGitops);

describe('landscape import --from kafka-gitops, against what kafka-gitops applied', () => {
  it('imports the state file, and the plan against the same broker has no changes', () => {
    process.stdout.write(`kafka-gitops: ${run().imported.stdout}`);
    expect(run().imported.stderr).toContain('topics.blacklist is not needed');
    expect(run().imported.code).toBe(0);
    expect([...run().files.keys()].sort()).toEqual(['access.yaml', 'acls.yaml', 'topic-defaults.yaml', 'topics.yaml']);
    expect(run().plan.stdout, run().plan.stdout + run().plan.stderr).toContain('No changes');
    expect(run().plan.code).toBe(0);
  });
});
