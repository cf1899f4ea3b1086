import type { ConfigProblem } from '../errors.ts';
import { CONFIG_CHECKS } from '../governance/checks/index.ts';
import type { LoadedConfig } from '../model/documents.ts';
import type { Plan, PlanNote } from '../model/plan.ts';
import {
  type Connection,
  type DesiredResource,
  type Inventory,
  type ObservedResource,
  RESOURCE_KINDS,
  type ResourceKind,
} from '../model/resource.ts';
import { computePlan, withCheckNotes } from '../plan/compute-plan.ts';
import { renderDesired } from '../plan/render-desired.ts';
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
  const problems = [...rendered.problems, ...connectionProblems(config, rendered.resources)];
  const notes: PlanNote[] = [];
  for (const check of CONFIG_CHECKS) {
    const result = check(config, rendered.resources);
    // Item by item: a spread of more than ~120,000 problems overflows the stack.
    for (const problem of result.problems) problems.push(problem);
    for (const note of result.notes) notes.push(note);
  }
  return { desired: rendered.resources, problems, notes };
}

/** Per connection (lib/model/resource.ts RESOURCE_KINDS): whether the Environment has it, its name, the fix. */
const CONNECTIONS: Record<
  Connection,
  { connected: (spec: LoadedConfig['environment']['spec']) => boolean; name: string; hint: string }
> = {
  kafka: { connected: () => true, name: 'Kafka', hint: 'add spec.kafka to the Environment' },
  schemaRegistry: {
    connected: (spec) => spec.schemaRegistry !== undefined,
    name: 'schema registry',
    hint: 'add spec.schemaRegistry to the Environment',
  },
  connect: {
    connected: (spec) => spec.connect !== undefined && Object.keys(spec.connect).length > 0,
    name: 'Kafka Connect',
    hint: 'add spec.connect.<cluster> to the Environment',
  },
  kubernetes: {
    connected: (spec) => spec.kubernetes !== undefined,
    name: 'Kubernetes',
    hint: 'add spec.kubernetes to the Environment',
  },
};

const connectionOf = (kind: ResourceKind) => CONNECTIONS[RESOURCE_KINDS[kind]];

/**
 * Resources whose kind needs a connection the Environment does not have (an App, which runs on Kubernetes, in
 * an Environment without `spec.kubernetes`): one error per document and kind, at the document's file:line, with
 * the fix. Checked from the config alone, so `landscape validate` reports it as well as plan.
 */
export function connectionProblems(config: LoadedConfig, desired: readonly DesiredResource[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const reported = new Set<string>();
  for (const resource of desired) {
    if (connectionOf(resource.kind).connected(config.environment.spec)) continue;
    const once = `${resource.origin ?? resource.key}|${resource.kind}`;
    if (reported.has(once)) continue;
    reported.add(once);
    problems.push(missingConnection(config, resource, resource.origin ?? `${resource.kind} "${resource.name}"`));
  }
  return problems;
}

function missingConnection(config: LoadedConfig, resource: DesiredResource, subject: string): ConfigProblem {
  return {
    ...(resource.source ?? { file: config.root, line: 1, column: 1 }),
    resource: subject,
    message: `needs a ${connectionOf(resource.kind).name} connection, but Environment "${config.environment.metadata.name}" has none`,
    hint: connectionOf(resource.kind).hint,
  };
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
  // The providers at hand decide too (a caller may offer fewer than the Environment names); once per document.
  const reported = new Set(problems.map((p) => `${p.file}:${p.line}|${p.message}`));
  for (const resource of desired) {
    if (byKind.has(resource.kind)) continue;
    const problem = missingConnection(config, resource, resource.origin ?? `${resource.kind} "${resource.name}"`);
    const once = `${problem.file}:${problem.line}|${problem.message}`;
    if (reported.has(once)) continue;
    reported.add(once);
    problems.push(problem);
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
