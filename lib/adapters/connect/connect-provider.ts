import { AdapterError, HttpStatusError, messageOf } from '../../errors.ts';
import { durationToMs, isSecretRef, type JsonObject } from '../../model/common.ts';
import type { EnvironmentSpec } from '../../model/environment.ts';
import { keys } from '../../model/keys.ts';
import {
  type ConnectorDesired,
  type ConnectorLive,
  REDACTED,
  SECRET_KEYS_CONFIG,
  SENSITIVE_KEY,
} from '../../model/kinds/connector.ts';
import type { ChangeResult, PlanNote, PlannedChange } from '../../model/plan.ts';
import type { DesiredResource, KindsOf, ObservedResource, ResourceKey } from '../../model/resource.ts';
import type { ProgressListener, ResourceProvider } from '../../ports/resource-provider.ts';
import type { SecretResolver } from '../../ports/secret-resolver.ts';
import { resolveHttpAuth } from '../common/http/http-auth.ts';
import { ConnectClient, ConnectHttpError, mapLimit, seg, sleep } from './connect-client.ts';
import { type ConnectorStatus, waitHealthy } from './health.ts';

/** The resource kinds this provider serves: every `connect` kind of RESOURCE_KINDS (checked in test/types). */
export const CONNECT_KINDS = ['Connector'] as const satisfies readonly KindsOf<'connect'>[];

/** Changes applied at once per wave (each may wait up to its healthTimeout). */
const APPLY_CONCURRENCY = 4;
/** What secret-backed values look like in a plan-time validation request. */
const PLACEHOLDER = 'landscape-placeholder';

/** `GET /connectors?expand=status&expand=info`. */
type ExpandedConnectors = Record<
  string,
  { status?: ConnectorStatus; info?: { name: string; config: Record<string, string>; type?: string } }
>;

/** Builds one REST client per Connect cluster of the Environment (Basic, OAuth or mutual TLS; common/http/http-auth.ts). */
export async function connectClients(
  environmentName: string,
  environment: EnvironmentSpec,
  secrets: SecretResolver,
): Promise<Map<string, ConnectClient>> {
  const clusters = environment.connect ?? {};
  if (Object.keys(clusters).length === 0) {
    throw new AdapterError(`environment "${environmentName}" has no connect clusters`);
  }
  const clients = new Map<string, ConnectClient>();
  for (const [cluster, connection] of Object.entries(clusters)) {
    const auth = await resolveHttpAuth(connection, secrets, `spec.connect.${cluster}`);
    clients.set(cluster, new ConnectClient({ url: connection.url, ...auth }));
  }
  return clients;
}

/**
 * Kafka Connect adapter (plain REST). Kind `Connector`, keyed per cluster and name.
 *
 * - observe: one `GET /connectors?expand=status&expand=info` per cluster; values of secret-backed keys (and of
 *   keys that look secret) are redacted before anything leaves the adapter.
 * - check: the class is installed on the cluster, and `PUT /connector-plugins/{class}/config/validate` accepts
 *   the config (secret values replaced by a placeholder: they are never resolved at plan time).
 * - apply: `PUT /connectors/{name}/config` with secret references resolved here, pause/resume per spec.state,
 *   `DELETE`; then waits for the connector and its tasks to be RUNNING (PAUSED) within spec.healthTimeout,
 *   otherwise Failed with the task's trace summarized. Result messages never contain secret values.
 */
export async function createConnectProvider(
  environmentName: string,
  environment: EnvironmentSpec,
  secrets: SecretResolver,
): Promise<ResourceProvider> {
  return new ConnectProvider(await connectClients(environmentName, environment, secrets));
}

export class ConnectProvider implements ResourceProvider {
  readonly name = 'connect';
  readonly kinds = CONNECT_KINDS;
  readonly #clients: Map<string, ConnectClient>;

  constructor(clients: Map<string, ConnectClient>) {
    this.#clients = clients;
  }

  async observe(
    _desired: readonly DesiredResource[],
    options: { progress?: ProgressListener } = {},
  ): Promise<ObservedResource[]> {
    const clusters = [...this.#clients.keys()].sort();
    const lists = await Promise.all(clusters.map((cluster) => this.#list(cluster)));
    options.progress?.({ phase: 'observe connectors', done: clusters.length, total: clusters.length });
    return lists.flat();
  }

  async observeKeys(resourceKeys: readonly ResourceKey[]): Promise<ObservedResource[]> {
    const wanted = new Set(resourceKeys);
    const clusters = [...this.#clients.keys()].filter((cluster) =>
      resourceKeys.some((key) => key.startsWith(keys.connector(cluster, ''))),
    );
    const lists = await Promise.all(clusters.map((cluster) => this.#list(cluster)));
    return lists.flat().filter((o) => wanted.has(o.key));
  }

  async #list(cluster: string): Promise<ObservedResource[]> {
    const client = this.#client(cluster);
    let expanded: ExpandedConnectors;
    try {
      expanded = await client.request<ExpandedConnectors>('GET', '/connectors?expand=status&expand=info');
    } catch (error) {
      // An HTTP status answer is given the call's context; other faults already name theirs.
      throw error instanceof AdapterError && !(error instanceof HttpStatusError)
        ? error
        : new AdapterError(`listing connectors of cluster "${cluster}": ${messageOf(error)}`, { cause: error });
    }
    return Object.entries(expanded)
      .filter(([, entry]) => entry.info !== undefined)
      .map(([name, entry]) => ({
        key: keys.connector(cluster, name),
        kind: 'Connector' as const,
        name,
        spec: normalizeConnector(cluster, entry.info?.config ?? {}, entry.status) as unknown as JsonObject,
      }));
  }

  #client(cluster: string): ConnectClient {
    const client = this.#clients.get(cluster);
    if (!client) throw new AdapterError(`no Connect cluster "${cluster}" in this environment`);
    return client;
  }

  async apply(
    changes: readonly PlannedChange[],
    context: { secrets: SecretResolver; progress?: ProgressListener },
  ): Promise<ChangeResult[]> {
    let done = 0;
    return mapLimit(changes, APPLY_CONCURRENCY, async (change) => {
      const result =
        change.action === 'Delete' ? await this.#delete(change) : await this.#applyForward(change, context.secrets);
      done++;
      context.progress?.({ phase: 'apply connectors', done, total: changes.length, message: change.name });
      return result;
    });
  }

  async #applyForward(change: PlannedChange, secrets: SecretResolver): Promise<ChangeResult> {
    const started = Date.now();
    const secretValues: string[] = [];
    const result = (outcome: ChangeResult['outcome'], message: string): ChangeResult => ({
      key: change.key,
      action: change.action,
      outcome,
      message: scrub(message, secretValues),
      durationMs: Date.now() - started,
    });
    const want = change.desired as unknown as ConnectorDesired | undefined;
    if (!want) return result('Failed', 'the plan has no desired connector for this change');
    const client = this.#clients.get(want.cluster);
    if (!client) return result('Failed', `no Connect cluster "${want.cluster}" in this environment`);
    const name = change.name;
    const steps: string[] = [];
    try {
      const config: Record<string, string> = {};
      const secretKeys: string[] = [];
      for (const [key, value] of Object.entries(want.config)) {
        if (isSecretRef(value)) {
          try {
            const resolved = await secrets.resolve(value);
            secretValues.push(resolved);
            config[key] = resolved;
            secretKeys.push(key);
          } catch (error) {
            return result('Failed', `resolving the secret for config "${key}": ${messageOf(error)}`);
          }
        } else {
          config[key] = value;
        }
      }
      config['connector.class'] = want.class;
      config['tasks.max'] = String(want.tasksMax);
      if (secretKeys.length > 0) config[SECRET_KEYS_CONFIG] = secretKeys.sort().join(',');

      const configChanged =
        change.action === 'Create' || change.fields.some((f) => f.path !== 'state' && f.path !== 'cluster');
      const stateChanged = change.action === 'Update' && change.fields.some((f) => f.path === 'state');
      let pausedAlready = false;
      if (change.action === 'Create' && want.state === 'paused') {
        // KIP-980: created paused, so it never runs with a config nobody wanted running.
        try {
          await client.request('POST', '/connectors', { name, config, initial_state: 'PAUSED' });
          steps.push('created (paused)');
          pausedAlready = true;
        } catch (error) {
          if (!(error instanceof ConnectHttpError && error.status === 409)) throw error;
          await client.request('PUT', `/connectors/${seg(name)}/config`, config);
          steps.push('config written (it already existed)');
        }
      } else if (configChanged) {
        await client.request('PUT', `/connectors/${seg(name)}/config`, config);
        steps.push(change.action === 'Create' ? 'created' : 'config updated');
      }
      if (want.state === 'paused' && !pausedAlready && (stateChanged || change.action === 'Create')) {
        await client.request('PUT', `/connectors/${seg(name)}/pause`);
        steps.push('paused');
      } else if (want.state === 'running' && stateChanged) {
        await client.request('PUT', `/connectors/${seg(name)}/resume`);
        steps.push('resumed');
      }
      const health = await waitHealthy(client, name, want.state === 'paused' ? 'PAUSED' : 'RUNNING', {
        timeoutMs: durationToMs(want.healthTimeout),
      });
      return result(health.ok ? 'Succeeded' : 'Failed', `${steps.join('; ')}; ${health.summary}`);
    } catch (error) {
      const detail = error instanceof ConnectHttpError ? `Kafka Connect answered: ${error.detail}` : messageOf(error);
      return result('Failed', `${steps.length > 0 ? `${steps.join('; ')}; then ` : ''}${detail}`);
    }
  }

  async #delete(change: PlannedChange): Promise<ChangeResult> {
    const started = Date.now();
    const { cluster, name } = parseConnectorKey(change.key, [...this.#clients.keys()]);
    const result = (outcome: ChangeResult['outcome'], message: string): ChangeResult => ({
      key: change.key,
      action: 'Delete',
      outcome,
      message,
      durationMs: Date.now() - started,
    });
    const client = cluster === undefined ? undefined : this.#clients.get(cluster);
    if (!client) return result('Failed', `no Connect cluster for "${change.key}" in this environment`);
    try {
      await client.request('DELETE', `/connectors/${seg(name)}`);
    } catch (error) {
      if (error instanceof ConnectHttpError && error.status === 404) return result('Succeeded', 'already absent');
      return result(
        'Failed',
        error instanceof ConnectHttpError ? `Kafka Connect answered: ${error.detail}` : messageOf(error),
      );
    }
    // The worker answers before every member has let go; wait until the connector is really gone.
    for (let i = 0; i < 40; i++) {
      try {
        await client.request('GET', `/connectors/${seg(name)}`);
      } catch (error) {
        if (error instanceof ConnectHttpError && error.status === 404) return result('Succeeded', 'deleted');
        // anything else (a rebalance, a timeout): ask again
      }
      await sleep(250);
    }
    return result('Failed', 'deleted, but the connector is still listed after 10s');
  }

  /**
   * Plan-time validation: the class is installed, and the worker's own validation accepts the config.
   * Secret-backed values are replaced by a placeholder (secrets are never read at plan time); errors on those keys
   * are ignored, and other errors are warnings when the connector has secrets (a connector may fail to connect
   * with a placeholder password), errors otherwise.
   */
  async check(changes: readonly PlannedChange[]): Promise<PlanNote[]> {
    const plugins = new Map<string, Promise<{ class: string }[]>>();
    const notes = await mapLimit(
      changes.filter((c) => c.action !== 'Delete' && (c.action === 'Create' || c.fields.some(isConfigField))),
      APPLY_CONCURRENCY,
      async (change) => {
        const want = change.desired as unknown as ConnectorDesired;
        const note = (level: PlanNote['level'], message: string): PlanNote => ({
          key: change.key,
          level,
          message: `Connector "${change.name}": ${message}`,
          ...(change.source ? { source: change.source } : {}),
        });
        const client = this.#clients.get(want.cluster);
        if (!client) return [note('error', `no Connect cluster "${want.cluster}" in this environment`)];
        try {
          if (!plugins.has(want.cluster))
            plugins.set(want.cluster, client.request<{ class: string }[]>('GET', '/connector-plugins'));
          const installed = (await plugins.get(want.cluster)) ?? [];
          if (!installed.some((p) => pluginMatches(p.class, want.class))) {
            return [
              note(
                'error',
                `class "${want.class}" is not installed on cluster "${want.cluster}" (installed: ${installed.map((p) => p.class).join(', ') || 'none'})`,
              ),
            ];
          }
          return await this.#validate(client, change.name, want, note);
        } catch (error) {
          return [note('warning', `config not validated: ${messageOf(error)}`)];
        }
      },
    );
    return notes.flat();
  }

  async #validate(
    client: ConnectClient,
    name: string,
    want: ConnectorDesired,
    note: (level: PlanNote['level'], message: string) => PlanNote,
  ): Promise<PlanNote[]> {
    const config: Record<string, string> = { name, 'connector.class': want.class, 'tasks.max': String(want.tasksMax) };
    const secretKeys = new Set<string>();
    for (const [key, value] of Object.entries(want.config)) {
      if (isSecretRef(value)) secretKeys.add(key);
      config[key] = isSecretRef(value) ? PLACEHOLDER : value;
    }
    const answer = await client.request<{
      error_count: number;
      configs: { value: { name: string; errors: string[] } }[];
    }>('PUT', `/connector-plugins/${seg(want.class)}/config/validate`, config);
    const problems = new Map<string, string[]>();
    for (const { value } of answer.configs ?? []) {
      if (value.errors.length === 0 || secretKeys.has(value.name)) continue;
      problems.set(value.name, [...new Set(value.errors)]);
    }
    if (problems.size === 0) return [];
    const text = [...problems].map(([key, errors]) => `${key}: ${errors.join('; ')}`).join(' | ');
    const certain = secretKeys.size === 0 || [...problems.values()].flat().every((e) => /^Missing required/.test(e));
    return [
      note(
        certain ? 'error' : 'warning',
        `Kafka Connect rejects the config: ${text}${certain ? '' : ' (validated with placeholder secret values, which may cause this)'}`,
      ),
    ];
  }

  async close(): Promise<void> {
    // Only the TLS agents (private CA, client certificate) hold connections; fetch keeps none worth closing.
    for (const client of this.#clients.values()) client.close();
  }
}

const isConfigField = (f: { path: string }) => f.path !== 'state';

/** Connect accepts the full class name or its aliases (simple name, simple name without "Connector"). */
function pluginMatches(installed: string, wanted: string): boolean {
  const simple = installed.split('.').at(-1) ?? installed;
  return wanted === installed || wanted === simple || wanted === simple.replace(/Connector$/, '');
}

/** A live connector as the rules compare it (connectorRules, lib/plan/kinds/connector.ts), with secret values redacted. */
export function normalizeConnector(
  cluster: string,
  config: Record<string, string>,
  status: ConnectorStatus | undefined,
): ConnectorLive {
  const secretKeys = new Set(
    (config[SECRET_KEYS_CONFIG] ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean),
  );
  const rest: Record<string, string> = {};
  for (const key of Object.keys(config).sort()) {
    if (key === 'name' || key === 'connector.class' || key === 'tasks.max' || key === SECRET_KEYS_CONFIG) continue;
    rest[key] = secretKeys.has(key) || SENSITIVE_KEY.test(key) ? REDACTED : String(config[key]);
  }
  const state = status?.connector.state;
  return {
    cluster,
    class: config['connector.class'] ?? '',
    tasksMax: Number(config['tasks.max'] ?? 1),
    config: rest,
    state: state === 'PAUSED' ? 'paused' : state === 'STOPPED' ? 'stopped' : 'running',
  };
}

/** Splits `connect/<cluster>/connector/<name>` knowing the cluster names (a name may contain '/'). */
export function parseConnectorKey(key: ResourceKey, clusters: readonly string[]): { cluster?: string; name: string } {
  for (const cluster of clusters) {
    const prefix = keys.connector(cluster, '');
    if (key.startsWith(prefix)) return { cluster, name: key.slice(prefix.length) };
  }
  return { name: key.split('/').at(-1) ?? key };
}

/** Replaces every resolved secret value (3+ characters) in a message: worker errors may echo config values. */
export function scrub(message: string, secretValues: readonly string[]): string {
  let out = message;
  for (const value of secretValues) if (value.length >= 3) out = out.split(value).join('***');
  return out;
}
