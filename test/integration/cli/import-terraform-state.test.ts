import { describe, expect, it } from 'vitest';
import { appliedByTerraform } from '../../fixtures/import/terraform-state/applied.ts';
import { importAcceptance } from '../../support/import-acceptance.ts';

const run = importAcceptance('terraform-state', 'tf', ['show.json'], appliedByTerraform);

describe('landscape import --from terraform-state, against what terraform-state applied', () => {
  it('imports terraform show -json, and the plan against the same broker has no changes', () => {
    process.stdout.write(`terraform-state: ${run().imported.stdout}`);
    expect(run().imported.stderr).toMatch(/show\.json:161: data source data\.kafka_topic\.existing/);
    expect(run().imported.stderr).toMatch(/show\.json:230: module\.payments\.confluent_role_binding\.owner/);
    expect(run().imported.code).toBe(2);
    expect([...run().files.keys()].sort()).toEqual([
      'access.yaml',
      'acls.yaml',
      'quotas.yaml',
      'topics.yaml',
      'users.yaml',
    ]);
    // The state holds the passwords; the import never writes one.
    for (const text of run().files.values()) expect(text).not.toContain('fixture-placeholder');
    expect(run().plan.stdout, run().plan.stdout + run().plan.stderr).toContain('No changes');
    expect(run().plan.code).toBe(0);
  });
});
