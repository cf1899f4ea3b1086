import type { ConfigProblem } from '../../errors.ts';
import type { LoadedConfig } from '../../model/documents.ts';
import type { PlanNote } from '../../model/plan.ts';
import type { DesiredResource } from '../../model/resource.ts';

/**
 * A whole-landscape check run at plan time (governance policies, data policies, SQL topic use).
 * `problems` with severity error block the plan (exit 1, annotated at file:line); `notes` are shown in it.
 */
export type ConfigCheck = (
  config: LoadedConfig,
  desired: readonly DesiredResource[],
) => {
  problems: ConfigProblem[];
  notes: PlanNote[];
};
