import { messageOf } from '../../errors.ts';
import type { EnvironmentSpec } from '../../model/environment.ts';
import { keys } from '../../model/keys.ts';
import type { SecretResolver } from '../../ports/secret-resolver.ts';
import { type ConnectClient, ConnectHttpError, mapLimit, seg } from './connect-client.ts';
import { connectClients } from './connect-provider.ts';
import { type ConnectorStatus, summarizeTrace } from './health.ts';

/** What happened to one connector that had failures. */
export interface RestartResult {
  key: string;
  cluster: string;
  connector: string;
  outcome: 'Restarted' | 'Failed';
  /** `connector`, `task 0`, ... */
  restarted: string[];
  /** The failure that was restarted (trace summarized) or why the restart failed. Never secret values. */
  message: string;
}

/**
 * Operator action (`landscape connectors restart-failed`): restarts the failed connector instances and failed
 * tasks of an environment's connectors, one `POST /connectors/{name}/restart?includeTasks=true&onlyFailed=true`
 * (KIP-745) per connector that has a failure. Healthy connectors are not touched. Not part of apply on purpose:
 * a config that keeps failing must be visible, not restarted in a loop.
 *
 * @example
 * const results = await restartFailedTasks('prod', env.spec, secrets, { cluster: 'default' });
 * // [{ key: 'connect/default/connector/orders-sink', outcome: 'Restarted', restarted: ['task 0'], ... }]
 */
export async function restartFailedTasks(
  environmentName: string,
  environment: EnvironmentSpec,
  secrets: SecretResolver,
  options: { cluster?: string; connectors?: readonly string[] } = {},
): Promise<RestartResult[]> {
  const clients = await connectClients(environmentName, environment, secrets);
  const results: RestartResult[] = [];
  for (const [cluster, client] of [...clients].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (options.cluster !== undefined && options.cluster !== cluster) continue;
    results.push(...(await restartOnCluster(cluster, client, options.connectors)));
  }
  return results;
}

async function restartOnCluster(
  cluster: string,
  client: ConnectClient,
  only: readonly string[] | undefined,
): Promise<RestartResult[]> {
  const statuses = await client.request<Record<string, { status?: ConnectorStatus }>>(
    'GET',
    '/connectors?expand=status',
  );
  const failing = Object.entries(statuses)
    .filter(([name]) => only === undefined || only.includes(name))
    .map(([name, entry]) => ({ name, status: entry.status }))
    .filter(
      (c): c is { name: string; status: ConnectorStatus } =>
        c.status !== undefined &&
        (c.status.connector.state === 'FAILED' || c.status.tasks.some((t) => t.state === 'FAILED')),
    )
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  return mapLimit(failing, 4, async ({ name, status }) => {
    const restarted = [
      ...(status.connector.state === 'FAILED' ? ['connector'] : []),
      ...status.tasks.filter((t) => t.state === 'FAILED').map((t) => `task ${t.id}`),
    ];
    const firstTrace =
      status.connector.state === 'FAILED'
        ? status.connector.trace
        : status.tasks.find((t) => t.state === 'FAILED')?.trace;
    const base = { key: keys.connector(cluster, name), cluster, connector: name, restarted };
    try {
      await client.request('POST', `/connectors/${seg(name)}/restart?includeTasks=true&onlyFailed=true`);
      return { ...base, outcome: 'Restarted' as const, message: `was: ${summarizeTrace(firstTrace)}` };
    } catch (error) {
      const detail = error instanceof ConnectHttpError ? error.detail : messageOf(error);
      return { ...base, outcome: 'Failed' as const, restarted: [], message: `restart refused: ${detail}` };
    }
  });
}
