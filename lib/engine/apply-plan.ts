import type { ApplyReport, Plan } from '../model/plan.ts';
import type { Inventory } from '../model/resource.ts';
import type { ProgressListener, ResourceProvider } from '../ports/resource-provider.ts';
import type { SecretResolver } from '../ports/secret-resolver.ts';

export interface ApplyPlanInput {
  plan: Plan;
  providers: readonly ResourceProvider[];
  inventory: Inventory;
  secrets: SecretResolver;
  now: () => Date;
  progress?: ProgressListener;
}

export interface ApplyPlanResult {
  report: ApplyReport;
  /** The inventory after this apply (created keys added, deleted keys removed, failed deletes kept). */
  inventory: Inventory;
}

/**
 * Runs exactly the given plan: re-reads every touched resource first and refuses a stale plan (report
 * outcome 'Refused' with the changed keys), then applies wave by wave. Never throws for a single change.
 */
export async function applyPlan(_input: ApplyPlanInput): Promise<ApplyPlanResult> {
  throw new Error('applyPlan: being written');
}
