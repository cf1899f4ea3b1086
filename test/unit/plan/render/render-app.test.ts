import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../lib/config/load-config.ts';
import { checkAppSql } from '../../../../lib/governance/checks/app-sql.ts';
import { CONFIG_CHECKS } from '../../../../lib/governance/checks/index.ts';
import type { JsonObject } from '../../../../lib/model/common.ts';
import { documentsOfKind, type LoadedConfig } from '../../../../lib/model/documents.ts';
import type { DesiredResource } from '../../../../lib/model/resource.ts';
import { renderApp, secretNameOf } from '../../../../lib/plan/kinds/app.ts';
import { renderKubernetesManifest } from '../../../../lib/plan/kinds/kubernetes-manifest.ts';
import { configDir } from '../../../support/builders.ts';

const ENV = `apiVersion: landscape.dev/v1
kind: Environment
metadata: { name: staging }
spec:
  kafka: { bootstrapServers: ["broker-1:9092", "broker-2:9092"] }
  kubernetes: { server: "https://127.0.0.1:6443", namespace: streaming }
`;

async function load(files: Record<string, string>): Promise<{ config: LoadedConfig; dir: string }> {
  const dir = await configDir({ 'env.yaml': ENV, ...files });
  return { config: await loadConfig(dir, 'staging'), dir };
}

function app(name: string, spec: string): string {
  return `apiVersion: landscape.dev/v1\nkind: App\nmetadata: { name: ${name} }\nspec:\n${spec}`;
}

const CONTAINER_APP = app(
  'orders-enricher',
  `  principal: User:enricher
  consumes: [payments.orders]
  produces: [payments.enriched]
  transactionalId: enricher-tx
  runtime:
    type: container
    image: ghcr.io/acme/enricher:1.4.2
    replicas: 2
    args: ["--fast"]
    env:
      LOG_LEVEL: debug
      DB_PASSWORD: { secretRef: { provider: aws-secretsmanager, name: prod/Orders/db, key: password } }
    resources: { requests: { cpu: 250m, memory: 256Mi }, limits: { memory: 512Mi } }
`,
);

const manifestOf = (resources: { key: string; spec: JsonObject }[], key: string) =>
  resources.find((r) => r.key === key)?.spec.manifest as JsonObject & {
    spec: JsonObject;
    data: JsonObject;
    metadata: JsonObject;
  };

describe('renderApp', () => {
  it('grants exactly the ACLs the App needs, tagged with the App as origin', async () => {
    // Prepare
    const { config } = await load({ 'app.yaml': CONTAINER_APP });
    const [doc] = documentsOfKind(config.documents, 'App');

    // Act
    const { resources, problems } = renderApp(doc as NonNullable<typeof doc>, config);

    // Assess
    expect(problems).toEqual([]);
    const acls = resources.filter((r) => r.kind === 'Acl');
    expect(acls.map((r) => r.key)).toEqual([
      'kafka/acl/User:enricher/topic/literal/payments.orders/read/allow/*',
      'kafka/acl/User:enricher/topic/literal/payments.orders/describe/allow/*',
      'kafka/acl/User:enricher/group/literal/orders-enricher/read/allow/*',
      'kafka/acl/User:enricher/topic/literal/payments.enriched/write/allow/*',
      'kafka/acl/User:enricher/topic/literal/payments.enriched/describe/allow/*',
      'kafka/acl/User:enricher/transactionalId/literal/enricher-tx/write/allow/*',
      'kafka/acl/User:enricher/transactionalId/literal/enricher-tx/describe/allow/*',
      'kafka/acl/User:enricher/cluster/literal/kafka-cluster/idempotentWrite/allow/*',
    ]);
    expect(new Set(acls.map((r) => r.origin))).toEqual(new Set(['App "orders-enricher"']));
  });

  it('renders a ServiceAccount, ConfigMap and Deployment in the Environment namespace with ownership labels', async () => {
    const { config, dir } = await load({ 'app.yaml': CONTAINER_APP });
    const [doc] = documentsOfKind(config.documents, 'App');

    const { resources } = renderApp(doc as NonNullable<typeof doc>, config);

    const objects = resources.filter((r) => r.kind === 'KubernetesObject');
    expect(objects.map((r) => [r.key, r.name])).toEqual([
      ['k8s/core/ServiceAccount/streaming/orders-enricher', 'ServiceAccount streaming/orders-enricher'],
      ['k8s/core/ConfigMap/streaming/orders-enricher-config', 'ConfigMap streaming/orders-enricher-config'],
      ['k8s/apps/Deployment/streaming/orders-enricher', 'Deployment streaming/orders-enricher'],
    ]);
    for (const object of objects) {
      expect((object.spec.manifest as { metadata: { labels: JsonObject } }).metadata.labels).toMatchObject({
        'app.kubernetes.io/managed-by': 'landscape',
        'landscape.dev/environment': 'staging',
      });
      expect(object.source?.file).toBe(`${dir}/app.yaml`);
      expect(object.origin).toBe('App "orders-enricher"');
    }
    const configMap = manifestOf(objects, 'k8s/core/ConfigMap/streaming/orders-enricher-config');
    expect(configMap.data).toEqual({
      LANDSCAPE_APP: 'orders-enricher',
      KAFKA_BOOTSTRAP_SERVERS: 'broker-1:9092,broker-2:9092',
      LANDSCAPE_CONSUMES: 'payments.orders',
      LANDSCAPE_PRODUCES: 'payments.enriched',
      KAFKA_GROUP_ID: 'orders-enricher',
      KAFKA_TRANSACTIONAL_ID: 'enricher-tx',
    });
  });

  it('turns secret references into secretKeyRefs and never puts a value in the plan', async () => {
    const { config } = await load({ 'app.yaml': CONTAINER_APP });
    const [doc] = documentsOfKind(config.documents, 'App');

    const { resources } = renderApp(doc as NonNullable<typeof doc>, config);

    const deployment = manifestOf(resources, 'k8s/apps/Deployment/streaming/orders-enricher');
    const pod = (deployment.spec.template as { spec: { containers: JsonObject[]; serviceAccountName: string } }).spec;
    expect(pod.serviceAccountName).toBe('orders-enricher');
    expect(deployment.spec.replicas).toBe(2);
    expect(pod.containers).toEqual([
      {
        name: 'app',
        image: 'ghcr.io/acme/enricher:1.4.2',
        args: ['--fast'],
        envFrom: [{ configMapRef: { name: 'orders-enricher-config' } }],
        env: [
          { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'prod-orders-db', key: 'password' } } },
          { name: 'LOG_LEVEL', value: 'debug' },
        ],
        resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
      },
    ]);
    expect(JSON.stringify(resources)).not.toContain('secretRef');
  });

  it('mounts the statement of a SQL App from its ConfigMap and rolls pods when it changes', async () => {
    const sqlApp = (statement: string) =>
      app(
        'order-totals',
        `  principal: User:totals
  namespace: analytics
  consumes: [payments.orders]
  produces: [payments.totals]
  runtime:
    type: sql
    statement: "${statement}"
`,
      );
    const render = async (statement: string) => {
      const { config } = await load({ 'app.yaml': sqlApp(statement) });
      const [doc] = documentsOfKind(config.documents, 'App');
      return renderApp(doc as NonNullable<typeof doc>, config).resources;
    };

    const first = await render('INSERT INTO `payments.totals` SELECT * FROM `payments.orders`');
    const second = await render('INSERT INTO `payments.totals` SELECT id FROM `payments.orders`');

    const configMap = manifestOf(first, 'k8s/core/ConfigMap/analytics/order-totals-config');
    expect(configMap.data).toMatchObject({
      'statement.sql': 'INSERT INTO `payments.totals` SELECT * FROM `payments.orders`',
      LANDSCAPE_SQL_FILE: '/etc/landscape/sql/statement.sql',
    });
    const pod = (manifestOf(first, 'k8s/apps/Deployment/analytics/order-totals').spec.template as { spec: JsonObject })
      .spec;
    expect(pod.volumes).toEqual([
      {
        name: 'sql',
        configMap: { name: 'order-totals-config', items: [{ key: 'statement.sql', path: 'statement.sql' }] },
      },
    ]);
    expect((pod.containers as JsonObject[])[0]).toMatchObject({
      image: 'ghcr.io/landscape-dev/sql-runner:1',
      volumeMounts: [{ name: 'sql', mountPath: '/etc/landscape/sql', readOnly: true }],
    });
    const hash = (resources: typeof first) =>
      (
        manifestOf(resources, 'k8s/apps/Deployment/analytics/order-totals').spec.template as {
          metadata: { annotations: JsonObject };
        }
      ).metadata.annotations['landscape.dev/config-hash'];
    expect(hash(first)).toMatch(/^[0-9a-f]{8}$/);
    expect(hash(first)).not.toBe(hash(second));
  });

  it('grants no group ACL and no idempotent write to an App that neither consumes nor produces', async () => {
    const { config } = await load({
      'app.yaml': app('idle', '  principal: User:idle\n  runtime: { type: container, image: busybox }\n'),
    });
    const [doc] = documentsOfKind(config.documents, 'App');
    const { resources } = renderApp(doc as NonNullable<typeof doc>, config);
    expect(resources.filter((r) => r.kind === 'Acl')).toEqual([]);
  });

  it('refuses an App name that can not name Kubernetes objects, at metadata.name', async () => {
    const { config, dir } = await load({
      'app.yaml': app('Orders_Enricher', '  principal: User:x\n  runtime: { type: container, image: busybox }\n'),
    });
    const [doc] = documentsOfKind(config.documents, 'App');
    const { resources, problems } = renderApp(doc as NonNullable<typeof doc>, config);
    expect(resources).toEqual([]);
    expect(problems).toEqual([
      expect.objectContaining({
        file: `${dir}/app.yaml`,
        line: 3,
        field: 'metadata.name',
        hint: 'e.g. "orders-enricher"',
      }),
    ]);
  });
});

describe('secretNameOf', () => {
  it('derives a valid Secret name and key from the reference', () => {
    expect(secretNameOf({ secretRef: { provider: 'env', name: 'DB_PASSWORD' } })).toEqual({
      name: 'db-password',
      key: 'value',
    });
    expect(secretNameOf({ secretRef: { provider: 'file', name: '/run/secrets/db', key: 'pass word' } })).toEqual({
      name: 'run-secrets-db',
      key: 'pass_word',
    });
  });
});

describe('renderKubernetesManifest', () => {
  it('passes the manifest through, defaults the namespace, adds labels and drops server-owned fields', async () => {
    const { config } = await load({
      'cm.yaml': `apiVersion: landscape.dev/v1
kind: KubernetesManifest
metadata: { name: settings }
spec:
  manifest:
    apiVersion: v1
    kind: ConfigMap
    metadata: { name: settings, labels: { team: payments }, resourceVersion: "42", uid: abc }
    data: { mode: fast }
    status: {}
---
apiVersion: landscape.dev/v1
kind: KubernetesManifest
metadata: { name: ns }
spec:
  manifest: { apiVersion: v1, kind: Namespace, metadata: { name: analytics } }
`,
    });
    const docs = documentsOfKind(config.documents, 'KubernetesManifest');

    const [configMap, namespace] = docs.map((d) => renderKubernetesManifest(d, config).resources[0]) as [
      DesiredResource,
      DesiredResource,
    ];

    expect(configMap).toMatchObject({
      key: 'k8s/core/ConfigMap/streaming/settings',
      kind: 'KubernetesObject',
      spec: {
        manifest: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: 'settings',
            namespace: 'streaming',
            labels: {
              team: 'payments',
              'app.kubernetes.io/managed-by': 'landscape',
              'landscape.dev/environment': 'staging',
            },
          },
          data: { mode: 'fast' },
        },
      },
    });
    const metadata = (configMap.spec.manifest as { metadata: JsonObject }).metadata;
    expect(metadata.resourceVersion).toBeUndefined();
    expect(metadata.uid).toBeUndefined();
    expect((configMap.spec.manifest as JsonObject).status).toBeUndefined();
    expect(namespace.key).toBe('k8s/core/Namespace/_/analytics');
    expect((namespace.spec.manifest as { metadata: JsonObject }).metadata.namespace).toBeUndefined();
  });
});

describe('checkAppSql', () => {
  const sqlApp = (statement: string, consumes = '[payments.orders]', produces = '[payments.totals]') =>
    app(
      'order-totals',
      `  principal: User:totals
  consumes: ${consumes}
  produces: ${produces}
  runtime:
    type: sql
    statement: |
${statement
  .split('\n')
  .map((l) => `      ${l}`)
  .join('\n')}
`,
    );

  it('is registered with the plan-time checks', () => {
    expect(CONFIG_CHECKS).toContain(checkAppSql);
  });

  it('accepts SQL that uses exactly the declared topics', async () => {
    const { config } = await load({
      'app.yaml': sqlApp('INSERT INTO `payments.totals`\nSELECT id, SUM(amount) FROM `payments.orders` GROUP BY id'),
    });
    expect(checkAppSql(config, [])).toEqual({ problems: [], notes: [] });
  });

  it('reports, at the statement, a topic the SQL reads or writes without declaring it', async () => {
    const { config, dir } = await load({
      'app.yaml': sqlApp(
        'INSERT INTO audit SELECT * FROM `payments.orders` JOIN customers ON 1 = 1',
        '[payments.orders]',
        '[]',
      ),
    });

    const { problems } = checkAppSql(config, []);

    expect(problems.map((p) => [p.file, p.line, p.field, p.message, p.hint])).toEqual([
      [
        `${dir}/app.yaml`,
        10,
        'spec.runtime.statement',
        'the SQL reads topic "customers", which spec.consumes does not declare',
        'add "customers" to spec.consumes (that grants the read ACL)',
      ],
      [
        `${dir}/app.yaml`,
        10,
        'spec.runtime.statement',
        'the SQL writes topic "audit", which spec.produces does not declare',
        'add "audit" to spec.produces (that grants the write ACL)',
      ],
    ]);
  });

  it('reports SQL that does not parse, with the SQL line', async () => {
    const { config } = await load({ 'app.yaml': sqlApp('INSERT INTO x\nSELEC * FROM y') });

    const { problems } = checkAppSql(config, []);

    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toMatch(/^Flink SQL does not parse \(SQL line 2\): syntax error near "/);
    expect(problems[0]?.severity).toBe('error');
  });

  it('notes declared topics the SQL never uses', async () => {
    const { config } = await load({
      'app.yaml': sqlApp(
        'INSERT INTO `payments.totals` SELECT * FROM `payments.orders`',
        '[payments.orders, payments.refunds]',
      ),
    });
    const { problems, notes } = checkAppSql(config, []);
    expect(problems).toEqual([]);
    expect(notes.map((n) => [n.level, n.message])).toEqual([
      ['info', 'App "order-totals" declares consumes "payments.refunds", but its SQL never reads it'],
    ]);
  });
});

describe('examples/kubernetes', () => {
  it('renders and passes the SQL check', async () => {
    const config = await loadConfig(new URL('../../../../examples/kubernetes', import.meta.url).pathname, 'local');
    const rendered = [...documentsOfKind(config.documents, 'App')].flatMap((doc) => renderApp(doc, config).resources);
    expect(checkAppSql(config, rendered)).toEqual({ problems: [], notes: [] });
    expect(rendered.filter((r) => r.kind === 'KubernetesObject').map((r) => r.key)).toEqual([
      'k8s/core/ServiceAccount/streaming/orders-enricher',
      'k8s/core/ConfigMap/streaming/orders-enricher-config',
      'k8s/apps/Deployment/streaming/orders-enricher',
      'k8s/core/ServiceAccount/streaming/order-totals',
      'k8s/core/ConfigMap/streaming/order-totals-config',
      'k8s/apps/Deployment/streaming/order-totals',
    ]);
  });
});
