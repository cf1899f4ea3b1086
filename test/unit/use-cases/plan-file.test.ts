import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../lib/engine/hash.ts';
import { PLAN_API_VERSION } from '../../../lib/model/plan.ts';
import { canonicalJson } from '../../../lib/plan/canonical-json.ts';
import { readPlanFile } from '../../../lib/use-cases/plan-file.ts';

/** A plan-shaped object with a correct hash: readPlanFile checks only the version and the hash. */
function planText(fields: Record<string, unknown> = {}): string {
  const rest = { apiVersion: PLAN_API_VERSION, environment: 'prod', changes: [], ...fields };
  return JSON.stringify({ ...rest, hash: sha256Hex(canonicalJson(rest)) });
}

describe('readPlanFile', () => {
  it('returns a plan whose content matches its hash', () => {
    expect(readPlanFile(planText(), 'plan.json').environment).toBe('prod');
  });

  it('refuses a plan file changed after planning, naming the file', () => {
    const tampered = planText().replace('"prod"', '"staging"');
    expect(() => readPlanFile(tampered, 'plan.json')).toThrow('"plan.json" was changed after it was planned');
  });

  it('refuses a plan of another version', () => {
    expect(() => readPlanFile(planText({ apiVersion: 'landscape.dev/plan/v0' }), 'old.json')).toThrow(
      '"old.json" is not a plan of this version',
    );
  });
});
