import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createConnectProvider } from '../../../lib/adapters/connect/connect-provider.ts';
import { LocalSecretResolver } from '../../../lib/adapters/secrets/env-secret-resolver.ts';
import { loadConfig } from '../../../lib/config/load-config.ts';
import { applyPlan } from '../../../lib/engine/apply-plan.ts';
import { planEnvironment } from '../../../lib/engine/plan-environment.ts';
import type { Inventory } from '../../../lib/model/resource.ts';
import { configDir, environmentYaml } from '../../support/builders.ts';
import { uniqueName } from '../../support/unique-name.ts';

const URL = process.env.KAFKA_CONNECT_URL ?? 'http://127.0.0.1:8083';
const name = uniqueName('it-connect-pipe');
const SECRET = uniqueName('pipe-secret');
const secrets = new LocalSecretResolver({ env: { IT_PIPE_SECRET: SECRET } });

const ENVIRONMENT = environmentYaml({
  name: 'test',
  extra: [`  connect: { default: { url: "${URL}" } }`, '  prune: { Connector: true }'].join('\n'),
});
const connectorDoc = (extra: string) => `apiVersion: landscape.dev/v1
kind: Connector
metadata: { name: ${name} }
spec:
  class: FileStreamSink
  tasksMax: 1
  config:
    topics: ${name}-in
    file: /tmp/${name}.txt
    sink.token: { secretRef: { provider: env, name: IT_PIPE_SECRET } }
${extra}`;

afterAll(async () => {
  await fetch(`${URL}/connectors/${name}`, { method: 'DELETE' }).catch(() => undefined);
  await rm(`/tmp/${name}.txt`, { force: true });
});

describe('a Connector document through plan and apply', () => {
  it('creates, stays unchanged, pauses, and prunes, never showing the secret', async () => {
    const root = await configDir({ 'environment.yaml': ENVIRONMENT, 'connectors.yaml': connectorDoc('') });
    const connect = await createConnectProvider('test', (await loadConfig(root, 'test')).environment.spec, secrets);
    let inventory: Inventory = {};
    const plan = async () => {
      const result = await planEnvironment({
        config: await loadConfig(root, 'test'),
        providers: [connect],
        inventory,
        source: { commit: uniqueName('commit') },
      });
      expect(result.problems).toEqual([]);
      if (!result.plan) throw new Error('no plan');
      expect(JSON.stringify(result.plan)).not.toContain(SECRET);
      return result.plan;
    };
    const apply = async (p: Awaited<ReturnType<typeof plan>>) => {
      const result = await applyPlan({ plan: p, providers: [connect], inventory, secrets, now: () => new Date() });
      inventory = result.inventory;
      expect(JSON.stringify(result)).not.toContain(SECRET);
      return result.report;
    };

    const first = await plan();
    expect(first.summary).toMatchObject({ create: 1 });
    expect(first.notes).toEqual([]);
    expect((await apply(first)).results).toEqual([
      expect.objectContaining({ outcome: 'Succeeded', message: 'created; connector RUNNING, 1/1 tasks RUNNING' }),
    ]);

    const same = await plan();
    expect(same.changes).toEqual([]);

    await writeFile(join(root, 'connectors.yaml'), connectorDoc('  state: paused\n'));
    const pausing = await plan();
    expect(pausing.changes[0]?.fields).toEqual([{ path: 'state', before: 'running', after: 'paused' }]);
    expect((await apply(pausing)).results[0]).toMatchObject({
      outcome: 'Succeeded',
      message: 'paused; connector PAUSED, 1/1 tasks PAUSED',
    });

    await rm(join(root, 'connectors.yaml'));
    const pruning = await plan();
    expect(pruning.changes.map((c) => c.action)).toEqual(['Delete']);
    expect((await apply(pruning)).results[0]).toMatchObject({ outcome: 'Succeeded', message: 'deleted' });
    expect(inventory).toEqual({});
  });
});
