import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectProvider } from '../../../lib/adapters/connect/connect-provider.ts';
import { restartFailedTasks } from '../../../lib/adapters/connect/restart-failed-tasks.ts';
import { LocalSecretResolver } from '../../../lib/adapters/secrets/env-secret-resolver.ts';
import type { JsonObject } from '../../../lib/model/common.ts';
import type { EnvironmentSpec } from '../../../lib/model/environment.ts';
import { keys } from '../../../lib/model/keys.ts';
import type { PlannedChange } from '../../../lib/model/plan.ts';
import type { DesiredResource, InventoryEntry, ObservedResource } from '../../../lib/model/resource.ts';
import { connectorRules, REDACTED } from '../../../lib/plan/kinds/connector.ts';
import type { ResourceProvider } from '../../../lib/ports/resource-provider.ts';
import { cleanupPrefix, eventually } from '../../../scripts/services/kafka-broker.ts';
import { testEnvironment } from '../../support/builders.ts';
import { createTopicsAndWait } from '../../support/kafka.ts';
import { inventoryFor, planChange } from '../../support/plan-change.ts';
import { uniqueName } from '../../support/unique-name.ts';

const URL = process.env.KAFKA_CONNECT_URL ?? 'http://127.0.0.1:8083';
const prefix = `${uniqueName('it-connect')}-`;
const topic = `${prefix}lines`;
const SECRET = uniqueName('s3cr3t');
const secrets = new LocalSecretResolver({ env: { IT_CONNECT_SECRET: SECRET, IT_CONNECT_BAD_DIR: '' } });
const SOURCE = 'org.apache.kafka.connect.file.FileStreamSourceConnector';
const SINK = 'org.apache.kafka.connect.file.FileStreamSinkConnector';

const environment: EnvironmentSpec = testEnvironment({
  connect: { default: { url: URL } },
  prune: { Connector: true },
}).spec;

let connect: ResourceProvider;
let dir: string;

beforeAll(async () => {
  connect = await createConnectProvider('it', environment, secrets);
  dir = await mkdtemp(join(tmpdir(), 'landscape-connect-'));
  await createTopicsAndWait([topic], 1, 60_000);
});

afterAll(async () => {
  const names = (await raw<string[]>('GET', '/connectors')).filter((n) => n.startsWith(prefix));
  for (const name of names) await raw('DELETE', `/connectors/${encodeURIComponent(name)}`).catch(() => undefined);
  await cleanupPrefix(prefix);
  await rm(dir, { recursive: true, force: true });
});

/** Direct REST reads for assertions; like the adapter, waits out a worker rebalance (409/500 for a moment). */
async function raw<T>(method: string, path: string): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(`${URL}${path}`, { method });
    const text = await response.text();
    const rebalancing = (response.status === 409 || response.status === 500) && /rebalanc/i.test(text);
    if (rebalancing && attempt < 40) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      continue;
    }
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

/** What renderConnector makes of a Connector document. */
function connector(
  name: string,
  spec: { class: string; config: JsonObject; tasksMax?: number; state?: string; healthTimeout?: string },
): DesiredResource {
  return {
    key: keys.connector('default', name),
    kind: 'Connector',
    name,
    spec: {
      cluster: 'default',
      class: spec.class,
      tasksMax: spec.tasksMax ?? 1,
      config: spec.config,
      state: spec.state ?? 'running',
      healthTimeout: spec.healthTimeout ?? '60s',
    },
  };
}

async function observe(name: string): Promise<ObservedResource | undefined> {
  const [found] = await connect.observeKeys([keys.connector('default', name)]);
  return found;
}

async function plan(desired: DesiredResource, inventory?: InventoryEntry): Promise<PlannedChange | undefined> {
  return planChange(connectorRules, desired, await observe(desired.name), inventory);
}

async function applyOne(change: PlannedChange | undefined) {
  if (!change) throw new Error('expected a change');
  const [result] = await connect.apply([change], { secrets });
  return result;
}

const passwordRef = { secretRef: { provider: 'env', name: 'IT_CONNECT_SECRET' } } as const;

describe('ConnectProvider (Kafka Connect 4.x, FileStream connectors)', () => {
  const source = `${prefix}source`;
  const sink = `${prefix}sink`;
  const sourceDesired = () =>
    connector(source, {
      class: SOURCE,
      config: { file: join(dir, 'in.txt'), topic, 'source.password': passwordRef },
    });
  const sinkDesired = (extra: JsonObject = {}, state = 'running') =>
    connector(sink, { class: SINK, config: { file: join(dir, 'out.txt'), topics: topic, ...extra }, state });

  it('creates a source and a sink that move data, resolving the secret only at apply', async () => {
    // Prepare
    await writeFile(join(dir, 'in.txt'), 'first line\nsecond line\n');
    const changes = [await plan(sourceDesired()), await plan(sinkDesired())] as PlannedChange[];
    const notes = await connect.check?.(changes);

    // Act
    const results = await connect.apply(changes, { secrets });

    // Assess
    expect(notes).toEqual([]);
    expect(changes[0]?.fields).toContainEqual({
      path: 'config.source.password',
      after: 'set from secret env/IT_CONNECT_SECRET',
      secret: true,
    });
    expect(JSON.stringify(changes)).not.toContain(SECRET);
    expect(results).toEqual([
      expect.objectContaining({
        key: keys.connector('default', source),
        outcome: 'Succeeded',
        message: 'created; connector RUNNING, 1/1 tasks RUNNING',
      }),
      expect.objectContaining({
        key: keys.connector('default', sink),
        outcome: 'Succeeded',
        message: 'created; connector RUNNING, 1/1 tasks RUNNING',
      }),
    ]);
    const stored = await raw<Record<string, string>>('GET', `/connectors/${source}/config`);
    expect(stored['source.password']).toBe(SECRET);
    expect(stored['landscape.secret.keys']).toBe('source.password');
    const observed = await observe(source);
    expect(observed?.spec).toEqual({
      cluster: 'default',
      class: SOURCE,
      tasksMax: 1,
      config: { file: join(dir, 'in.txt'), topic, 'source.password': REDACTED },
      state: 'running',
    });
    expect(JSON.stringify(await connect.observe([]))).not.toContain(SECRET);
    expect(await plan(sourceDesired(), inventoryFor(connectorRules, sourceDesired()))).toBeUndefined();
    expect(
      await eventually(async () => (await readFile(join(dir, 'out.txt'), 'utf8')).includes('second line'), 30_000),
    ).toBe(true);
  });

  it('updates a config value and shows only that field', async () => {
    const desired = sinkDesired({ 'batch.size': '10' });
    const change = await plan(desired);
    const result = await applyOne(change);
    expect(change?.fields).toEqual([{ path: 'config.batch.size', after: '10' }]);
    expect(result).toMatchObject({
      outcome: 'Succeeded',
      message: 'config updated; connector RUNNING, 1/1 tasks RUNNING',
    });
    expect((await raw<Record<string, string>>('GET', `/connectors/${sink}/config`))['batch.size']).toBe('10');
    expect(await plan(desired)).toBeUndefined();
  });

  it('pauses and resumes', async () => {
    const paused = await plan(sinkDesired({ 'batch.size': '10' }, 'paused'));
    const pausedResult = await applyOne(paused);
    const observedPaused = await observe(sink);
    const resumed = await applyOne(await plan(sinkDesired({ 'batch.size': '10' })));

    expect(paused?.fields).toEqual([{ path: 'state', before: 'running', after: 'paused' }]);
    expect(pausedResult).toMatchObject({ outcome: 'Succeeded', message: 'paused; connector PAUSED, 1/1 tasks PAUSED' });
    expect(observedPaused?.spec.state).toBe('paused');
    expect(resumed).toMatchObject({ outcome: 'Succeeded', message: 'resumed; connector RUNNING, 1/1 tasks RUNNING' });
  });

  it('creates a connector paused without running it first', async () => {
    const name = `${prefix}born-paused`;
    const result = await applyOne(
      await plan(
        connector(name, { class: SINK, config: { file: join(dir, 'paused.txt'), topics: topic }, state: 'paused' }),
      ),
    );
    expect(result).toMatchObject({
      outcome: 'Succeeded',
      message: 'created (paused); connector PAUSED, no tasks started',
    });
  });

  it('reports a failing task with its trace summarized, without the secret in it, and restarts it on request', async () => {
    // Prepare: the output directory comes from a secret and does not exist yet.
    const missing = join(dir, `missing-${SECRET}`);
    const name = `${prefix}failing`;
    const desired = connector(name, {
      class: SINK,
      config: { file: { secretRef: { provider: 'env', name: 'IT_CONNECT_FILE' } }, topics: topic },
      healthTimeout: '30s',
    });
    const withFile = new LocalSecretResolver({ env: { IT_CONNECT_FILE: join(missing, 'out.txt') } });

    // Act
    const [result] = await connect.apply([(await plan(desired)) as PlannedChange], { secrets: withFile });
    await mkdir(missing);
    const restarts = await restartFailedTasks('it', environment, withFile, { connectors: [name] });

    // Assess
    expect(result?.outcome).toBe('Failed');
    expect(result?.message).toContain('created; connector RUNNING, tasks: 1 FAILED: task 0: ConnectException:');
    expect(result?.message).toContain("Couldn't find or create file");
    expect(result?.message).toContain("Couldn't find or create file '***'");
    expect(result?.message).not.toContain(SECRET);
    expect(restarts).toEqual([
      expect.objectContaining({ key: keys.connector('default', name), outcome: 'Restarted', restarted: ['task 0'] }),
    ]);
    expect(
      await eventually(async () => {
        const status = await raw<{ tasks: { state: string }[] }>('GET', `/connectors/${name}/status`);
        return status.tasks.every((t) => t.state === 'RUNNING') && status.tasks.length === 1;
      }, 20_000),
    ).toBe(true);
  });

  it('flags a bad config and an unknown class at plan time, and apply reports the worker refusal', async () => {
    const noTopics = connector(`${prefix}no-topics`, { class: SINK, config: { file: join(dir, 'x.txt') } });
    const unknown = connector(`${prefix}unknown`, { class: 'com.example.NoSuchConnector', config: {} });
    const changes = [await plan(noTopics), await plan(unknown)] as PlannedChange[];

    const notes = (await connect.check?.(changes)) ?? [];
    const [result] = await connect.apply([changes[0] as PlannedChange], { secrets });

    expect(notes.map((n) => [n.key, n.level])).toEqual([
      [noTopics.key, 'error'],
      [unknown.key, 'error'],
    ]);
    expect(notes[0]?.message).toContain(
      'Kafka Connect rejects the config: topics: Must configure one of topics or topics.regex',
    );
    expect(notes[1]?.message).toContain('class "com.example.NoSuchConnector" is not installed on cluster "default"');
    expect(result?.outcome).toBe('Failed');
    expect(result?.message).toContain('Kafka Connect answered: Connector configuration is invalid');
  });

  it('deletes a connector', async () => {
    const live = await observe(sink);
    const result = await applyOne(planChange(connectorRules, undefined, live));
    expect(result).toMatchObject({ outcome: 'Succeeded', action: 'Delete', message: 'deleted' });
    expect(await observe(sink)).toBeUndefined();
    const again = await applyOne(planChange(connectorRules, undefined, live));
    expect(again).toMatchObject({ outcome: 'Succeeded', message: 'already absent' });
  });
});
