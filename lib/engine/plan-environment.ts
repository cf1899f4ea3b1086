import type { ConfigProblem } from '../errors.ts';
import type { LoadedConfig } from '../model/documents.ts';
import type { Plan } from '../model/plan.ts';
import type { Inventory } from '../model/resource.ts';
import type { ProgressListener, ResourceProvider } from '../ports/resource-provider.ts';

export interface PlanEnvironmentInput {
  config: LoadedConfig;
  providers: readonly ResourceProvider[];
  inventory: Inventory;
  source: { repo?: string; commit?: string; ref?: string };
  progress?: ProgressListener;
}

export interface PlanEnvironmentResult {
  /** Absent when the config has blocking problems. */
  plan?: Plan;
  problems: ConfigProblem[];
}

/** observe -> plan: renders the config, reads live state through the providers, computes the plan. */
export async function planEnvironment(_input: PlanEnvironmentInput): Promise<PlanEnvironmentResult> {
  throw new Error('planEnvironment: being written');
}
