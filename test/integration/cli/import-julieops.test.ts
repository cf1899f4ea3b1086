import { describe, expect, it } from 'vitest';
import { appliedByJulieOps } from '../../fixtures/import/julieops/applied.ts';
import { importAcceptance } from '../../support/import-acceptance.ts';

const run = importAcceptance('julieops', 'ju', ['descriptor.yaml', 'plans.yaml'], appliedByJulieOps);

describe('landscape import --from julieops, against what julieops applied', () => {
  it('imports the descriptor and plans, and the plan against the same broker has no changes', () => {
    process.stdout.write(`julieops: ${run().imported.stdout}`);
    expect(run().imported.stderr).toMatch(/descriptor\.yaml:35: project "orders" rbac: Confluent RBAC role bindings/);
    expect(run().imported.stderr).toMatch(/descriptor\.yaml:45: topic "events" field "schemas"/);
    expect(run().imported.code).toBe(2);
    expect([...run().files.keys()].sort()).toEqual(['access.yaml', 'acls.yaml', 'topic-defaults.yaml', 'topics.yaml']);
    expect(run().plan.stdout, run().plan.stdout + run().plan.stderr).toContain('No changes');
    expect(run().plan.code).toBe(0);
  });
});
