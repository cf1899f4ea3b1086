import type { ConfigProblem } from '../errors.ts';
import type { LoadedConfig } from '../model/documents.ts';
import type { Plan, PlanNote } from '../model/plan.ts';
import type { DesiredResource, Inventory, ObservedResource, ResourceKind } from '../model/resource.ts';
import { CONFIG_CHECKS } from '../plan/checks/index.ts';
import { computePlan, withCheckNotes } from '../plan/compute-plan.ts';
import { renderDesired } from '../plan/render/index.ts';
import type { ProgressListener, ResourceProvider } from '../ports/resource-provider.ts';
import { TOOL_VERSION } from '../version.ts';
import { sha256Hex } from './hash.ts';

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
  /** Everything observed live (export uses it). */
  observed: ObservedResource[];
}

/** Render + whole-landscape checks, without touching any live system (`landscape validate` uses it too). */
export function renderAndCheck(config: LoadedConfig): {
  desired: DesiredResource[];
  problems: ConfigProblem[];
  notes: PlanNote[];
} {
  const rendered = renderDesired(config);
  const problems = [...rendered.problems];
  const notes: PlanNote[] = [];
  for (const check of CONFIG_CHECKS) {
    const result = check(config, rendered.resources);
    problems.push(...result.problems);
    notes.push(...result.notes);
  }
  return { desired: rendered.resources, problems, notes };
}

/** The provider responsible for each kind. */
export function providersByKind(providers: readonly ResourceProvider[]): Map<ResourceKind, ResourceProvider> {
  const map = new Map<ResourceKind, ResourceProvider>();
  for (const provider of providers) for (const kind of provider.kinds) map.set(kind, provider);
  return map;
}

/**
 * observe -> plan: renders the config, reads live state through the providers (each in its own batched
 * calls, concurrently), computes the plan and folds in the providers' live checks.
 */
export async function planEnvironment(input: PlanEnvironmentInput): Promise<PlanEnvironmentResult> {
  const { config, providers } = input;
  const { desired, problems, notes } = renderAndCheck(config);
  const byKind = providersByKind(providers);
  for (const resource of desired) {
    if (!byKind.has(resource.kind)) {
      problems.push({
        ...(resource.source ?? { file: config.root, line: 1, column: 1 }),
        resource: `${resource.origin ?? resource.kind} "${resource.name}"`,
        message: `needs a ${resource.kind} connection, but Environment "${config.environment.metadata.name}" has none`,
        hint: connectionHint(resource.kind),
      });
    }
  }
  if (problems.some((p) => p.severity !== 'warning')) return { problems, observed: [] };

  const observedLists = await Promise.all(
    providers.map((provider) => {
      const mine = desired.filter((d) => provider.kinds.includes(d.kind));
      return provider.observe(mine, input.progress ? { progress: input.progress } : {});
    }),
  );
  const observed = observedLists.flat();
  let plan = computePlan({
    environment: { name: config.environment.metadata.name, spec: config.environment.spec },
    desired,
    observed,
    inventory: input.inventory,
    observedKinds: providers.flatMap((p) => p.kinds),
    notes: [...notes, ...problems.filter((p) => p.severity === 'warning').map(warningNote)],
    source: input.source,
    toolVersion: TOOL_VERSION,
    hash: sha256Hex,
  });
  const checkNotes: PlanNote[] = [];
  for (const provider of providers) {
    if (!provider.check) continue;
    const mine = plan.changes.filter((c) => provider.kinds.includes(c.kind));
    if (mine.length > 0) checkNotes.push(...(await provider.check(mine)));
  }
  plan = withCheckNotes(plan, checkNotes, sha256Hex);
  return { plan, problems: problems.filter((p) => p.severity !== 'warning'), observed };
}

function warningNote(problem: ConfigProblem): PlanNote {
  return {
    level: 'warning',
    message: `${problem.resource ? `${problem.resource} ` : ''}${problem.field ? `${problem.field}: ` : ''}${problem.message}`,
    source: { file: problem.file, line: problem.line, column: problem.column },
  };
}

function connectionHint(kind: ResourceKind): string {
  switch (kind) {
    case 'Schema':
      return 'add spec.schemaRegistry to the Environment';
    case 'Connector':
      return 'add spec.connect.<cluster> to the Environment';
    case 'KubernetesObject':
      return 'add spec.kubernetes to the Environment';
    default:
      return 'add spec.kafka to the Environment';
  }
}
