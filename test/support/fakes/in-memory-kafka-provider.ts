import type { JsonObject } from '../../../lib/model/common.ts';
import { desiredCredentialsOf } from '../../../lib/model/kinds/user.ts';
import type { ChangeResult, PlannedChange } from '../../../lib/model/plan.ts';
import type { DesiredResource, ObservedResource, ResourceKind } from '../../../lib/model/resource.ts';
import type { ResourceProvider } from '../../../lib/ports/resource-provider.ts';

/** What a broker would report after storing a desired spec (the same normalization the real adapter does). */
export function liveSpecOf(change: { kind: ResourceKind; desired?: JsonObject }, previous?: JsonObject): JsonObject {
  const desired = change.desired ?? {};
  switch (change.kind) {
    case 'Topic': {
      const config = {
        ...((previous?.config as Record<string, string>) ?? {}),
        ...(desired.config as Record<string, string>),
      };
      return {
        partitions: desired.partitions ?? 1,
        replicationFactor: desired.replicationFactor ?? 1,
        config,
        defaults: (previous?.defaults as JsonObject) ?? {},
      };
    }
    case 'User':
      return {
        mechanisms: Object.fromEntries([...desiredCredentialsOf(desired)].map(([m, c]) => [m, c.iterations])),
      };
    default:
      return desired;
  }
}

/**
 * A Kafka-like provider over a Map, for pure engine tests (the real adapter is tested against a real broker).
 * `failKeys` makes chosen changes fail, to test partial failure reporting.
 */
export class InMemoryKafkaProvider implements ResourceProvider {
  readonly name = 'in-memory-kafka';
  readonly kinds: readonly ResourceKind[] = ['Topic', 'Acl', 'Quota', 'User'];
  readonly state = new Map<string, ObservedResource>();
  readonly failKeys = new Set<string>();
  applyCalls = 0;
  #created = 0;

  constructor(initial: readonly ObservedResource[] = []) {
    for (const resource of initial) this.state.set(resource.key, structuredClone(resource));
  }

  async observe(_desired: readonly DesiredResource[]): Promise<ObservedResource[]> {
    return [...this.state.values()].map((r) => structuredClone(r));
  }

  async observeKeys(keys: readonly string[]): Promise<ObservedResource[]> {
    return keys.flatMap((key) => {
      const resource = this.state.get(key);
      return resource ? [structuredClone(resource)] : [];
    });
  }

  async apply(changes: readonly PlannedChange[]): Promise<ChangeResult[]> {
    this.applyCalls++;
    return changes.map((change) => {
      if (this.failKeys.has(change.key))
        return { key: change.key, action: change.action, outcome: 'Failed', message: 'injected failure' };
      if (change.action === 'Delete') this.state.delete(change.key);
      else {
        const previous = this.state.get(change.key);
        const spec = liveSpecOf(change, previous?.spec);
        if (change.kind === 'Topic') {
          // Fields reset to default disappear from the dynamic config.
          const config = spec.config as Record<string, string>;
          for (const field of change.fields)
            if (field.after === undefined && field.path.startsWith('config.')) delete config[field.path.slice(7)];
        }
        // Like a broker's topic id: kept by updates, new for every created object.
        const identity = previous?.identity ?? `id-${++this.#created}`;
        this.state.set(change.key, { key: change.key, kind: change.kind, name: change.name, spec, identity });
      }
      return { key: change.key, action: change.action, outcome: 'Succeeded' };
    });
  }

  async close(): Promise<void> {}
}
