import { sha256Hex } from '../engine/hash.ts';
import { ReconcilerError } from '../errors.ts';
import { PLAN_API_VERSION, type Plan } from '../model/plan.ts';
import { planHashMatches } from '../plan/compute-plan.ts';

/**
 * A plan read back from a file (`landscape plan --out`): refused unless it is of this plan version and its
 * content still matches its hash, because the hash is what approvals and audit records name, and a file changed
 * after planning is not that plan. `name` is how the file is named in the errors.
 */
export function readPlanFile(text: string, name: string): Plan {
  const plan = JSON.parse(text) as Plan;
  if (plan.apiVersion !== PLAN_API_VERSION) {
    throw new ReconcilerError(
      'BadRequest',
      `"${name}" is not a plan of this version (apiVersion ${String(plan.apiVersion)}, expected ${PLAN_API_VERSION})`,
    );
  }
  if (!planHashMatches(plan, sha256Hex)) {
    throw new ReconcilerError(
      'BadRequest',
      `"${name}" was changed after it was planned (its content no longer matches hash ${String(plan.hash).slice(0, 12)}): plan again with landscape plan --out`,
    );
  }
  return plan;
}
