import type { EnvironmentSpec } from '../model/environment.ts';
import type { Plan } from '../model/plan.ts';

/**
 * THE approval rule, for every entry point (the apply function, serve, the CLI): whether the environment's
 * `requireApprovalFor` holds this plan until someone approves its hash. `all` asks for every plan that changes
 * something (a plan with no changes has nothing to approve), `destructive` for plans with a destructive change.
 */
export function requiresApproval(plan: Plan, requireApprovalFor: EnvironmentSpec['requireApprovalFor']): boolean {
  switch (requireApprovalFor) {
    case 'none':
      return false;
    case 'all':
      return plan.changes.length > 0;
    case 'destructive':
      return plan.changes.some((c) => c.destructive);
  }
}
