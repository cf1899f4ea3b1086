import { assertNever, type ConfigProblem } from '../../errors.ts';
import { isSecretRef, type JsonObject, type SecretRef } from '../../model/common.ts';
import type { ConfigDocument, LoadedConfig } from '../../model/documents.ts';
import type { AccessGrants } from '../../model/kinds/access.ts';
import type { AclBinding } from '../../model/kinds/acl.ts';
import type { AppSpec } from '../../model/kinds/app.ts';
import type { DesiredResource } from '../../model/resource.ts';
import { roleBindings } from '../access/roles.ts';
import { canonicalJson } from '../canonical-json.ts';
import { aclResources } from './acl.ts';
import type { DocumentKindModule, Renderer } from './kind-module.ts';
import { kubernetesObject } from './kubernetes-manifest.ts';

/** Where the SQL runtime finds its statement inside the container. */
export const SQL_MOUNT_PATH = '/etc/landscape/sql';
export const SQL_FILE = 'statement.sql';

/** DNS-1123 subdomain (object names) and label value limits. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MAX_NAME = 63; // the name is also the value of the app.kubernetes.io/name label

/**
 * A streaming App as one package:
 * - Kafka ACLs for its principal: read+describe on consumed topics, read on its consumer group (default: the
 *   App name; only when it consumes or names a group), write+describe on produced topics, write+describe on its
 *   transactional id, idempotentWrite on the cluster when it produces. Origin `App "<name>"`.
 * - Kubernetes objects in `spec.namespace` or the Environment's namespace: a ServiceAccount, a ConfigMap
 *   (bootstrap servers, topic names, group, transactional id; the statement for SQL Apps) and a Deployment.
 *   Secret-reference env values become `secretKeyRef`s to a Secret named after the reference
 *   ({@link secretNameOf}); the value never appears in the plan. That Secret is not created by Landscape.
 *
 * @example
 * renderApp(appDoc, config).resources.map((r) => r.key);
 * // ['kafka/acl/User:enricher/topic/literal/orders/read/allow/*', ..., 'k8s/apps/Deployment/streaming/enricher', ...]
 */
export const renderApp: Renderer<'App'> = (doc, config) => {
  const problems = validateName(doc);
  if (problems.length > 0) return { resources: [], problems };
  const origin = `App "${doc.metadata.name}"`;
  return {
    resources: [
      ...aclResources(appAclBindings(doc.metadata.name, doc.spec), doc, origin),
      ...appObjects(doc, config, origin),
    ],
    problems: [],
  };
};

function validateName(doc: ConfigDocument<'App'>): ConfigProblem[] {
  const name = doc.metadata.name;
  if (DNS_SUBDOMAIN.test(name) && name.length <= MAX_NAME) return [];
  return [
    {
      ...doc.locate(['metadata', 'name']),
      resource: `App "${name}"`,
      field: 'metadata.name',
      message: `"${name}" can not name Kubernetes objects: use at most ${MAX_NAME} lower-case letters, digits, "-" and "."`,
      hint: `e.g. "${
        name
          .toLowerCase()
          .replace(/[^a-z0-9.-]+/g, '-')
          .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
          .slice(0, MAX_NAME) || 'my-app'
      }"`,
      severity: 'error',
    },
  ];
}

/**
 * The ACL bindings an App needs: its consumes/produces/consumerGroup/transactionalId said as access roles and
 * expanded by the same table as an Access document (lib/plan/access/roles.ts, ADR 0043).
 */
export function appAclBindings(name: string, spec: AppSpec): AclBinding[] {
  return roleBindings([spec.principal], appGrants(name, spec)).map((b) => b.binding);
}

/** An App's access as role grants: a consumer (group default: the App name) and a producer. */
export function appGrants(name: string, spec: AppSpec): AccessGrants {
  const consumes = spec.consumes.length > 0 || spec.consumerGroup !== undefined;
  const produces = spec.produces.length > 0 || spec.transactionalId !== undefined;
  return {
    consumer: consumes ? [{ topics: unique(spec.consumes), topicPrefixes: [], group: spec.consumerGroup ?? name }] : [],
    producer: produces
      ? [
          {
            topics: unique(spec.produces),
            topicPrefixes: [],
            transactionalIds: spec.transactionalId !== undefined ? [spec.transactionalId] : [],
            transactionalIdPrefixes: [],
            idempotent: true,
          },
        ]
      : [],
    streams: [],
    connectWorker: [],
    admin: [],
  };
}

const unique = (values: readonly string[]) => [...new Set(values)];

/**
 * The Secret name and key a secret reference maps to inside the cluster: the reference name made a valid
 * object name (lower-case, other characters replaced by "-"), and the reference key or `value`.
 * `{ provider: aws-secretsmanager, name: "prod/orders/db", key: "password" }` -> `prod-orders-db` / `password`.
 */
export function secretNameOf(ref: SecretRef): { name: string; key: string } {
  const name =
    ref.secretRef.name
      .toLowerCase()
      .replace(/[^a-z0-9.-]+/g, '-')
      .replace(/-+/g, '-')
      .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
      .slice(0, 253) || 'secret';
  const key = (ref.secretRef.key ?? 'value').replace(/[^-._a-zA-Z0-9]/g, '_');
  return { name, key };
}

function appObjects(doc: ConfigDocument<'App'>, config: LoadedConfig, origin: string): DesiredResource[] {
  const name = doc.metadata.name;
  const spec = doc.spec;
  const runtime = spec.runtime;
  const namespace = spec.namespace ?? config.environment.spec.kubernetes?.namespace ?? 'default';
  const options = {
    defaultNamespace: namespace,
    environment: config.environment.metadata.name,
    source: doc.source,
    origin,
  };
  const appLabels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/component': 'streaming-app' };
  const metadata = (objectName: string): JsonObject => ({ name: objectName, namespace, labels: { ...appLabels } });
  const configMapName = `${name}-config`;

  const data: Record<string, string> = {
    LANDSCAPE_APP: name,
    KAFKA_BOOTSTRAP_SERVERS: config.environment.spec.kafka.bootstrapServers.join(','),
    LANDSCAPE_CONSUMES: unique(spec.consumes).join(','),
    LANDSCAPE_PRODUCES: unique(spec.produces).join(','),
  };
  if (spec.consumes.length > 0 || spec.consumerGroup !== undefined) data.KAFKA_GROUP_ID = spec.consumerGroup ?? name;
  if (spec.transactionalId !== undefined) data.KAFKA_TRANSACTIONAL_ID = spec.transactionalId;
  if (runtime.type === 'sql') {
    data.LANDSCAPE_SQL_FILE = `${SQL_MOUNT_PATH}/${SQL_FILE}`;
    data[SQL_FILE] = runtime.statement;
  }

  const container: JsonObject = { name: 'app', envFrom: [{ configMapRef: { name: configMapName } }] };
  switch (runtime.type) {
    case 'container': {
      container.image = runtime.image;
      if (runtime.command) container.command = [...runtime.command];
      if (runtime.args) container.args = [...runtime.args];
      const env = Object.keys(runtime.env)
        .sort()
        .map((envName): JsonObject => {
          const value = runtime.env[envName] as string | SecretRef;
          if (!isSecretRef(value)) return { name: envName, value };
          const secret = secretNameOf(value);
          return { name: envName, valueFrom: { secretKeyRef: { name: secret.name, key: secret.key } } };
        });
      if (env.length > 0) container.env = env;
      if (runtime.resources) container.resources = runtime.resources as JsonObject;
      break;
    }
    case 'sql':
      container.image = runtime.runnerImage;
      container.volumeMounts = [{ name: 'sql', mountPath: SQL_MOUNT_PATH, readOnly: true }];
      break;
    default:
      return assertNever(runtime, 'App runtime type');
  }

  const podSpec: JsonObject = {
    serviceAccountName: name,
    // Streaming apps talk to Kafka, not to the Kubernetes API.
    automountServiceAccountToken: false,
    containers: [container],
  };
  if (runtime.type === 'sql') {
    podSpec.volumes = [{ name: 'sql', configMap: { name: configMapName, items: [{ key: SQL_FILE, path: SQL_FILE }] } }];
  }

  const serviceAccount: JsonObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadata(name) };
  const configMap: JsonObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadata(configMapName), data };
  const deployment: JsonObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(name),
    spec: {
      replicas: runtime.replicas,
      selector: { matchLabels: { 'app.kubernetes.io/name': name } },
      template: {
        metadata: {
          labels: { ...appLabels },
          // A changed ConfigMap (statement, topics) rolls the pods: env and mounted files are read at start.
          annotations: { 'landscape.dev/config-hash': fnv1a(canonicalJson(data)) },
        },
        spec: podSpec,
      },
    },
  };
  return [serviceAccount, configMap, deployment].map((manifest) => kubernetesObject(manifest, options));
}

/** 32-bit FNV-1a as 8 hex digits: a short, stable, dependency-free content tag (not a security hash). */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

export const appDocument: DocumentKindModule<'App'> = { kind: 'App', role: 'resource', render: renderApp };
