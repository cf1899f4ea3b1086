import { describe, expect, it } from 'vitest';
import { appliedByJikkou } from '../../fixtures/import/jikkou/applied.ts';
import { importAcceptance } from '../../support/import-acceptance.ts';

const run = importAcceptance('jikkou', 'jk', ['topics.yaml', 'access.yaml'], appliedByJikkou);

describe('landscape import --from jikkou, against what jikkou applied', () => {
  it('imports the resources, and the plan against the same broker has no changes', () => {
    process.stdout.write(`jikkou: ${run().imported.stdout}`);
    expect(run().imported.stderr).toMatch(
      /access\.yaml:48: ACL of "User:[^"]+acme-orders" on topic "[^"]+acme-\.\*-events" \(MATCH\)/,
    );
    expect(run().imported.code).toBe(2);
    expect([...run().files.keys()].sort()).toEqual([
      'access.yaml',
      'acls.yaml',
      'quotas.yaml',
      'topics.yaml',
      'users.yaml',
    ]);
    expect(run().plan.stdout, run().plan.stdout + run().plan.stderr).toContain('No changes');
    expect(run().plan.code).toBe(0);
  });
});
