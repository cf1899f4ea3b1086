import { describe, expect, it } from 'vitest';
import { makePlan } from '../../../lib/use-cases/plan.ts';
import { loadEnvironmentConfig } from '../../../lib/use-cases/plan-commit.ts';
import { environmentYaml, topicDocument } from '../../support/builders.ts';
import { InMemoryKafkaProvider } from '../../support/fakes/in-memory-kafka-provider.ts';
import { makeDeps, REPO } from './support.ts';

/** A provider that counts how often it was closed. */
class CountingProvider extends InMemoryKafkaProvider {
  closed = 0;
  override async close(): Promise<void> {
    this.closed += 1;
  }
}

async function setup() {
  const provider = new CountingProvider();
  const fixture = makeDeps({ createProviders: async () => [provider] });
  const sha = fixture.git.commit({ 'env.yaml': environmentYaml(), 'topics.yaml': topicDocument('t.one') });
  const loaded = await loadEnvironmentConfig(fixture.deps, await fixture.deps.git.checkout(REPO, sha), 'prod');
  if (!loaded.config) throw new Error('config did not load');
  return { ...fixture, provider, sha, config: loaded.config };
}

describe('makePlan, the one place a plan is made against live state', () => {
  it('plans the configuration against what the providers observe and closes them', async () => {
    const { deps, provider, sha, config } = await setup();

    const result = await makePlan(deps, { environment: 'prod', config, source: { repo: REPO, commit: sha } });

    expect(result.plan?.changes.map((c) => [c.key, c.action])).toEqual([['kafka/topic/t.one', 'Create']]);
    expect(result.plan?.source).toMatchObject({ repo: REPO, commit: sha });
    expect(provider.closed).toBe(1);
  });

  it('closes the providers when planning fails', async () => {
    const { deps, provider, sha, config } = await setup();
    const failing = {
      ...deps,
      engine: {
        ...deps.engine,
        planEnvironment: async () => {
          throw new Error('broker unreachable');
        },
      },
    };

    await expect(
      makePlan(failing, { environment: 'prod', config, source: { repo: REPO, commit: sha } }),
    ).rejects.toThrow('broker unreachable');
    expect(provider.closed).toBe(1);
  });
});
