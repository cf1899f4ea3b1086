import { createKafkaProvider, type KafkaProviderOptions } from '../lib/adapters/kafka/kafka-provider.ts';
import { applyPlan } from '../lib/engine/apply-plan.ts';
import { sha256Hex } from '../lib/engine/hash.ts';
import { EnvironmentSpecSchema } from '../lib/model/environment.ts';
import { keys } from '../lib/model/keys.ts';
import type { AclBinding } from '../lib/model/kinds/acl.ts';
import type { Plan } from '../lib/model/plan.ts';
import type { DesiredResource, Inventory, ObservedResource } from '../lib/model/resource.ts';
import { computePlan } from '../lib/plan/compute-plan.ts';
import type { ResourceProvider } from '../lib/ports/resource-provider.ts';
import { brokerSecretResolver, testKafkaConnection } from '../scripts/services/kafka-broker.ts';
import { createAclChange, createTopicChange, deleteChange } from '../scripts/services/kafka-changes.ts';
import { type Landscape, type PhaseTimer, recordSteps, timed } from './measure.ts';

/** What the Landscape path measured, plus sanity counts that show the run did what it claims. */
export interface LandscapeRun {
  createdTopics: number;
  createdAcls: number;
  failed: number;
  replanChanges: number;
  deleteFailed: number;
  /** A few messages of changes that did not succeed, for the report. */
  problems: string[];
}

/** Desired resources exactly as the renderers would produce them. */
export function desiredResources(landscape: Landscape): DesiredResource[] {
  const topics: DesiredResource[] = landscape.topics.map((name) => ({
    key: keys.topic(name),
    kind: 'Topic',
    name,
    spec: { partitions: 1, replicationFactor: 1, config: {} },
  }));
  const acls: DesiredResource[] = landscape.acls.map((b: AclBinding) => ({
    key: keys.acl(b),
    kind: 'Acl',
    name: `${b.principal} ${b.operation} ${b.resourceType}:${b.resourceName}`,
    spec: { ...b },
  }));
  return [...topics, ...acls];
}

/**
 * The full pipeline on the real broker: observe everything, plan (pure), apply the plan through the engine
 * (stale check + waves + provider batches), observe again and re-plan (must be empty), then plan and apply
 * the prune that deletes it all again.
 */
export async function runLandscape(
  landscape: Landscape,
  timer: PhaseTimer,
  tuning: Partial<KafkaProviderOptions>,
): Promise<LandscapeRun> {
  const secrets = brokerSecretResolver();
  const kafka = await createKafkaProvider(testKafkaConnection({ requestTimeoutMs: 120_000 }), secrets, tuning);
  const environment = {
    name: 'bench',
    spec: EnvironmentSpecSchema.parse({
      kafka: testKafkaConnection(),
      prune: { Topic: true, Acl: true },
      requireApprovalFor: 'none',
    }),
  };
  const desired = desiredResources(landscape);
  const plan = (observed: readonly ObservedResource[], wanted: readonly DesiredResource[], inventory: Inventory) =>
    computePlan({
      environment,
      desired: wanted,
      observed,
      inventory,
      observedKinds: kafka.kinds,
      source: { commit: 'bench' },
      toolVersion: 'bench',
      hash: sha256Hex,
    });
  const apply = (p: Plan, inventory: Inventory, provider: ResourceProvider, label: string) =>
    applyPlan({
      plan: p,
      providers: [provider],
      inventory,
      secrets,
      now: () => new Date(),
      progress: recordSteps(timer, label),
    });

  try {
    const before = await timed(timer, 'observe (before)', () => kafka.observe(desired));
    const createPlan = await timed(timer, 'plan', () => plan(before, desired, {}));
    // What the engine's stale check reads, timed alone (the engine's own bookkeeping comes on top of it).
    await timed(timer, 'observeKeys (all touched keys)', () => kafka.observeKeys(createPlan.changes.map((c) => c.key)));
    const created = await timed(timer, 'apply: create (stale check + waves)', () =>
      apply(createPlan, {}, kafka, 'create'),
    );
    const after = await timed(timer, 'observe (after)', () => kafka.observe(desired));
    const replan = await timed(timer, 'plan again (expect 0 changes)', () => plan(after, desired, created.inventory));
    const deletePlan = plan(after, [], created.inventory);
    const deleted = await timed(timer, 'apply: delete all (prune plan)', () =>
      apply(deletePlan, created.inventory, kafka, 'delete'),
    );
    const results = created.report.results;
    return {
      createdTopics: results.filter((r) => r.key.startsWith('kafka/topic/') && r.outcome === 'Succeeded').length,
      createdAcls: results.filter((r) => r.key.startsWith('kafka/acl/') && r.outcome === 'Succeeded').length,
      failed: results.filter((r) => r.outcome !== 'Succeeded').length,
      replanChanges: replan.changes.length,
      deleteFailed: deleted.report.results.filter((r) => r.outcome !== 'Succeeded').length,
      problems: [...results, ...deleted.report.results]
        .filter((r) => r.outcome !== 'Succeeded')
        .slice(0, 5)
        .map((r) => `${r.key}: ${r.outcome}: ${r.message ?? ''}`),
    };
  } finally {
    await kafka.close();
  }
}

/**
 * The provider alone, without planner and engine: the PlannedChange lists are built directly (what a plan of
 * this landscape contains), applied wave by wave (topics, then ACLs; deletes in reverse), so the adapter's
 * own cost and memory can be told apart from the pipeline's.
 */
export async function runProvider(
  landscape: Landscape,
  timer: PhaseTimer,
  tuning: Partial<KafkaProviderOptions>,
): Promise<LandscapeRun> {
  const secrets = brokerSecretResolver();
  const kafka = await createKafkaProvider(testKafkaConnection({ requestTimeoutMs: 120_000 }), secrets, tuning);
  try {
    await timed(timer, 'observe (before)', () => kafka.observe([]));
    const topicChanges = landscape.topics.map((name) =>
      createTopicChange(name, { partitions: 1, replicationFactor: 1 }),
    );
    const aclChanges = landscape.acls.map(createAclChange);
    const created = await timed(timer, 'apply: create (stale check + waves)', async () => {
      const progress = recordSteps(timer, 'create');
      return [
        ...(await kafka.apply(topicChanges, { secrets, progress })),
        ...(await kafka.apply(aclChanges, { secrets, progress })),
      ];
    });
    await timed(timer, 'observe (after)', () => kafka.observe([]));
    const deleted = await timed(timer, 'apply: delete all (prune plan)', async () => {
      const progress = recordSteps(timer, 'delete');
      return [
        ...(await kafka.apply(
          aclChanges.map((c) => deleteChange('Acl', c.key, c.name)),
          { secrets, progress },
        )),
        ...(await kafka.apply(
          topicChanges.map((c) => deleteChange('Topic', c.key, c.name)),
          { secrets, progress },
        )),
      ];
    });
    return {
      createdTopics: created.filter((r) => r.key.startsWith('kafka/topic/') && r.outcome === 'Succeeded').length,
      createdAcls: created.filter((r) => r.key.startsWith('kafka/acl/') && r.outcome === 'Succeeded').length,
      failed: created.filter((r) => r.outcome !== 'Succeeded').length,
      replanChanges: 0,
      deleteFailed: deleted.filter((r) => r.outcome !== 'Succeeded').length,
      problems: [...created, ...deleted]
        .filter((r) => r.outcome !== 'Succeeded')
        .slice(0, 5)
        .map((r) => `${r.key}: ${r.outcome}: ${r.message ?? ''}`),
    };
  } finally {
    await kafka.close();
  }
}
