import type { PlanEnvironmentInput, PlanEnvironmentResult } from '../engine/plan-environment.ts';
import { collectSecretRefs } from '../model/common.ts';
import type { LoadedConfig } from '../model/documents.ts';
import { secretsForEnvironment } from '../ports/secret-resolver.ts';
import type { PipelineDeps } from './deps.ts';

export type MakePlanDeps = Pick<PipelineDeps, 'store' | 'engine' | 'createProviders' | 'secrets'>;

/**
 * The one place a plan is made against live state, for every entry point (push, pull request, drift, the CLI's
 * `plan`, `apply DIR` and `drift`): open the environment's providers, plan with the stored inventory, close the
 * providers whatever happened. Storing, audit records and reporting stay with the caller, which knows the trigger.
 */
export async function makePlan(
  deps: MakePlanDeps,
  input: {
    environment: string;
    config: LoadedConfig;
    source: PlanEnvironmentInput['source'];
    progress?: PlanEnvironmentInput['progress'];
  },
): Promise<PlanEnvironmentResult> {
  const { environment, config } = input;
  // Every reference the config names is one this environment may read (in the functions: its own platform
  // secrets), checked by name before any connection or AWS call: a refused one fails the plan here.
  const secrets = secretsForEnvironment(deps.secrets, environment);
  if (secrets.check) for (const ref of collectSecretRefs([config.environment, config.documents])) secrets.check(ref);
  const providers = await deps.createProviders(environment, config.environment.spec, deps.secrets);
  try {
    return await deps.engine.planEnvironment({
      config,
      providers,
      inventory: await deps.store.getInventory(environment),
      source: input.source,
      ...(input.progress ? { progress: input.progress } : {}),
    });
  } finally {
    await Promise.allSettled(providers.map((p) => p.close()));
  }
}
