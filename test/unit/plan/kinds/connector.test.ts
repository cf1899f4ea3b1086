import { describe, expect, it } from 'vitest';
import { normalizeConnector, scrub } from '../../../../lib/adapters/connect/connect-provider.ts';
import { judgeHealth, summarizeTrace } from '../../../../lib/adapters/connect/health.ts';
import { loadConfig } from '../../../../lib/config/load-config.ts';
import type { JsonObject } from '../../../../lib/model/common.ts';
import type { DesiredResource, InventoryEntry, ObservedResource } from '../../../../lib/model/resource.ts';
import { connectorRules, REDACTED } from '../../../../lib/plan/kinds/connector.ts';
import { renderDesired } from '../../../../lib/plan/render-desired.ts';
import { configDir } from '../../../support/builders.ts';

const ENVIRONMENT = `apiVersion: landscape.dev/v1
kind: Environment
metadata: { name: test }
spec:
  kafka: { bootstrapServers: ["127.0.0.1:9092"] }
  connect: { default: { url: "http://127.0.0.1:8083" } }
`;
const PASSWORD = { secretRef: { provider: 'env', name: 'DB_PASSWORD' } };

const desired = (spec: JsonObject = {}): DesiredResource => ({
  key: 'connect/default/connector/pg-sink',
  kind: 'Connector',
  name: 'pg-sink',
  spec: {
    cluster: 'default',
    class: 'JdbcSink',
    tasksMax: 2,
    config: { topics: 'orders', 'connection.password': PASSWORD },
    state: 'running',
    healthTimeout: '60s',
    ...spec,
  },
});
const live = (spec: JsonObject = {}): ObservedResource => ({
  key: 'connect/default/connector/pg-sink',
  kind: 'Connector',
  name: 'pg-sink',
  spec: {
    cluster: 'default',
    class: 'JdbcSink',
    tasksMax: 2,
    config: { topics: 'orders', 'connection.password': REDACTED },
    state: 'running',
    ...spec,
  },
});
const inventory = (digest: string | undefined): InventoryEntry => ({
  key: 'connect/default/connector/pg-sink',
  kind: 'Connector',
  ...(digest !== undefined ? { secretDigest: digest } : {}),
});
const diff = (d: DesiredResource, l: ObservedResource, i?: InventoryEntry) =>
  connectorRules.diff?.({ desired: d, live: l, inventory: i }) ?? [];

describe('renderConnector', () => {
  it('renders config values as strings and keeps secret references', async () => {
    const root = await configDir({
      'environment.yaml': ENVIRONMENT,
      'connectors.yaml': `apiVersion: landscape.dev/v1
kind: Connector
metadata: { name: orders-sink }
spec:
  class: FileStreamSink
  tasksMax: 1
  config: { topics: orders, batch.size: 100, enabled: true, password: { secretRef: { provider: env, name: PW } } }
`,
    });
    const { resources, problems } = renderDesired(await loadConfig(root, 'test'));
    expect(problems).toEqual([]);
    expect(resources[0]).toMatchObject({
      key: 'connect/default/connector/orders-sink',
      kind: 'Connector',
      spec: {
        cluster: 'default',
        class: 'FileStreamSink',
        tasksMax: 1,
        config: {
          topics: 'orders',
          'batch.size': '100',
          enabled: 'true',
          password: { secretRef: { provider: 'env', name: 'PW' } },
        },
        state: 'running',
        healthTimeout: '60s',
      },
    });
  });

  it('reports an unknown cluster and keys Landscape sets itself', async () => {
    const root = await configDir({
      'environment.yaml': ENVIRONMENT,
      'connectors.yaml': `apiVersion: landscape.dev/v1
kind: Connector
metadata: { name: orders-sink }
spec:
  cluster: analytics
  class: FileStreamSink
  config: { tasks.max: "3" }
`,
    });
    const { problems } = renderDesired(await loadConfig(root, 'test'));
    expect(problems.map((p) => [p.line, p.field, p.message, p.hint])).toEqual([
      [5, 'spec.cluster', 'no Connect cluster "analytics" in Environment "test"', 'known clusters: default'],
      [7, 'spec.config.tasks.max', '"tasks.max" is set by Landscape', 'use spec.tasksMax'],
    ]);
  });
});

describe('connectorRules', () => {
  it('sees no change when config, class, tasks and state match, whatever the hidden secret value', () => {
    const digest = connectorRules.secretDigest?.(desired());
    expect(diff(desired(), live(), inventory(digest))).toEqual([]);
  });

  it('shows a secret as changed only when its reference changed, never with a value', () => {
    const before = connectorRules.secretDigest?.(desired());
    const moved = desired({
      config: { topics: 'orders', 'connection.password': { secretRef: { provider: 'env', name: 'DB_PASSWORD_2' } } },
    });
    expect(diff(moved, live(), inventory(before))).toEqual([
      { path: 'config.connection.password', before: 'set', after: 'changed (secret env/DB_PASSWORD_2)', secret: true },
    ]);
  });

  it('shows config, tasks and state changes, and live keys git does not have', () => {
    const fields = diff(
      desired({ tasksMax: 3, state: 'paused' }),
      live({ config: { topics: 'payments', 'connection.password': REDACTED, 'errors.tolerance': 'all' } }),
    );
    expect(fields).toEqual([
      { path: 'tasksMax', before: 2, after: 3 },
      { path: 'config.topics', before: 'payments', after: 'orders' },
      { path: 'config.errors.tolerance', before: 'all', note: 'not in git: removed when the config is replaced' },
      { path: 'state', before: 'running', after: 'paused' },
    ]);
  });

  it('resumes a stopped connector', () => {
    expect(diff(desired(), live({ state: 'stopped' }))).toEqual([
      { path: 'state', before: 'stopped', after: 'running' },
    ]);
  });

  it('gates a class change like a delete', () => {
    const fields = diff(desired({ class: 'OtherSink' }), live());
    expect(connectorRules.isDestructiveUpdate?.(fields)).toBe(true);
  });

  it('lists a Create with secret references, not values', () => {
    expect(connectorRules.createFields?.(desired())).toContainEqual({
      path: 'config.connection.password',
      after: 'set from secret env/DB_PASSWORD',
      secret: true,
    });
  });
});

describe('normalizeConnector', () => {
  it('redacts keys filled from secrets and keys that look secret, and drops what Landscape sets', () => {
    const spec = normalizeConnector(
      'default',
      {
        name: 'pg-sink',
        'connector.class': 'JdbcSink',
        'tasks.max': '2',
        'connection.url': 'jdbc:postgresql://u:hunter2@db/x',
        'ssl.truststore.password': 'changeit',
        topics: 'orders',
        'landscape.secret.keys': 'connection.url',
      },
      { name: 'pg-sink', connector: { state: 'PAUSED' }, tasks: [] },
    );
    expect(spec).toEqual({
      cluster: 'default',
      class: 'JdbcSink',
      tasksMax: 2,
      config: { 'connection.url': REDACTED, 'ssl.truststore.password': REDACTED, topics: 'orders' },
      state: 'paused',
    });
  });
});

describe('connector health', () => {
  const trace =
    "org.apache.kafka.connect.errors.ConnectException: Couldn't find or create file '/nope/out.txt' for FileStreamSinkTask\n\tat org.apache.kafka.connect.file.FileStreamSinkTask.start(FileStreamSinkTask.java:74)\nCaused by: java.nio.file.NoSuchFileException: /nope/out.txt\n\tat sun.nio.fs.UnixException.translateToIOException(UnixException.java:92)\n";

  it('summarizes a Java trace to its exceptions', () => {
    expect(summarizeTrace(trace)).toBe(
      "ConnectException: Couldn't find or create file '/nope/out.txt' for FileStreamSinkTask <- NoSuchFileException: /nope/out.txt",
    );
  });

  it('judges running, paused, pending and failed', () => {
    const running = { name: 'c', connector: { state: 'RUNNING' }, tasks: [{ id: 0, state: 'RUNNING' }] };
    expect(judgeHealth(running, 'RUNNING')).toEqual({
      state: 'healthy',
      summary: 'connector RUNNING, 1/1 tasks RUNNING',
    });
    expect(judgeHealth(running, 'PAUSED').state).toBe('pending');
    expect(judgeHealth({ ...running, tasks: [] }, 'RUNNING').state).toBe('pending');
    expect(judgeHealth({ ...running, tasks: [{ id: 0, state: 'FAILED', trace }] }, 'RUNNING')).toEqual({
      state: 'failed',
      summary: `connector RUNNING, tasks: 1 FAILED: task 0: ${summarizeTrace(trace)}`,
    });
  });

  it('scrubs secret values from messages', () => {
    expect(scrub('bad password hunter2 for user', ['hunter2', 'x'])).toBe('bad password *** for user');
  });
});
