import {
  type Admin,
  ConfigResourceTypes,
  describeUserScramCredentialsV0,
  ResourcePatternTypes,
  ResourceTypes,
} from '@platformatic/kafka';
import { toClientAcl } from '../lib/adapters/kafka/normalize.ts';
import { rawAdmin } from '../scripts/services/kafka-broker.ts';
import { chunks, eachLimited, type Landscape, type PhaseTimer, timed } from './measure.ts';

const ANY_ACL = {
  resourceType: ResourceTypes.ANY,
  resourceName: null,
  resourcePatternType: ResourcePatternTypes.ANY,
  principal: null,
  host: null,
  operation: 1, // ANY
  permissionType: 1, // ANY
} as const;

export interface RawTuning {
  topicChunkSize: number;
  describeChunkSize: number;
  aclChunkSize: number;
  concurrency: number;
}

/**
 * The baseline: the same reads and writes as plain batched @platformatic/kafka Admin calls, with the same
 * chunk sizes and concurrency, and none of Landscape's work around them (no normalization, no planning, no
 * stale check, no per-item result mapping, no waiting for leaders or ACL visibility).
 */
export async function runRaw(landscape: Landscape, timer: PhaseTimer, tuning: RawTuning): Promise<void> {
  const admin = rawAdmin('landscape-bench-raw');
  try {
    await timed(timer, 'observe (before)', () => observeRaw(admin, tuning));
    await timed(timer, 'apply: create (stale check + waves)', async () => {
      await eachLimited(chunks(landscape.topics, tuning.topicChunkSize), tuning.concurrency, async (topics) => {
        await admin.createTopics({ topics, partitions: 1, replicas: 1 });
      });
      await eachLimited(chunks(landscape.acls, tuning.aclChunkSize), tuning.concurrency, async (bindings) => {
        await admin.createAcls({ creations: bindings.map(toClientAcl) });
      });
    });
    // Not part of the raw "create" figure: how long until the broker really serves what was created
    // (every partition led, every ACL listed by the authorizer), which Landscape's apply waits for.
    await timed(timer, 'raw only: wait until leaders + acls served', () => waitUntilServed(admin, landscape));
    await timed(timer, 'observe (after)', () => observeRaw(admin, tuning));
    await timed(timer, 'apply: delete all (prune plan)', async () => {
      await eachLimited(chunks(landscape.acls, tuning.aclChunkSize), tuning.concurrency, async (bindings) => {
        await admin.deleteAcls({ filters: bindings.map(toClientAcl) });
      });
      await eachLimited(chunks(landscape.topics, tuning.topicChunkSize), tuning.concurrency, async (topics) => {
        await admin.deleteTopics({ topics });
      });
    });
  } finally {
    await admin.close();
  }
}

async function waitUntilServed(admin: Admin, landscape: Landscape): Promise<void> {
  const wantedAcls = new Set(landscape.acls.map((b) => `${b.principal}|${b.resourceName}|${b.operation}`));
  for (;;) {
    // The high-level metadata call fails as a whole ("Unknown topic") until the broker knows every topic.
    const metadata = await admin.metadata({ topics: landscape.topics, forceUpdate: true }).catch(() => undefined);
    const led = landscape.topics.every((t) => metadata?.topics.get(t)?.partitions.every((p) => p.leader >= 0));
    const listed = new Set(
      (await admin.describeAcls({ filter: ANY_ACL })).flatMap((r) =>
        r.acls.map((a) => `${a.principal}|${r.resourceName}|${OPERATION_NAMES[a.operation] ?? a.operation}`),
      ),
    );
    if (led && [...wantedAcls].every((k) => listed.has(k))) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const OPERATION_NAMES: Record<number, string> = { 3: 'read', 4: 'write', 8: 'describe' };

/** Every topic with partitions and configs, every ACL, quota and SCRAM user: what `observe` reads. */
async function observeRaw(admin: Admin, tuning: RawTuning): Promise<number> {
  const names = await admin.listTopics();
  let described = 0;
  await Promise.all([
    admin.metadata({ topics: names, forceUpdate: true }),
    eachLimited(chunks(names, tuning.describeChunkSize), tuning.concurrency, async (group) => {
      const result = await admin.describeConfigs({
        resources: group.map((name) => ({ resourceType: ConfigResourceTypes.TOPIC, resourceName: name })),
      });
      described += result.length;
    }),
    admin.describeAcls({ filter: ANY_ACL }),
    admin.describeClientQuotas({ components: [] }),
    admin.connectToBrokers().then((connections) => {
      const connection = [...connections.values()][0];
      return connection ? describeUserScramCredentialsV0.api.async(connection, []) : undefined;
    }),
  ]);
  return described;
}
