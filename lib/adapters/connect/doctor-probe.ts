import type { ConnectCluster } from '../../model/connections/http-services.ts';
import type { DoctorCheck } from '../../model/doctor.ts';
import type { SecretResolver } from '../../ports/secret-resolver.ts';
import { probeHttpService } from '../common/http/http-doctor-probe.ts';
import { ConnectClient } from './connect-client.ts';

const count = (body: unknown, noun: string) => `${Array.isArray(body) ? body.length : 0} ${noun}`;

/** The checks of one Kafka Connect cluster: reachable, credentials accepted, connectors and plugins listed. */
export function probeConnect(
  name: string,
  connection: ConnectCluster,
  secrets: SecretResolver,
  options: { timeoutMs: number },
): Promise<DoctorCheck[]> {
  return probeHttpService({
    target: `connect "${name}"`,
    field: `spec.connect.${name}`,
    connection,
    secrets,
    client: (auth) => new ConnectClient({ url: connection.url, ...auth, timeoutMs: options.timeoutMs, retries: 0 }),
    calls: [
      {
        check: 'list connectors',
        path: '/connectors',
        summary: (body) => `GET /connectors answered (${count(body, 'connector(s)')})`,
        grant: 'read access to the connectors (GET /connectors)',
      },
      {
        check: 'list plugins',
        path: '/connector-plugins',
        summary: (body) => `GET /connector-plugins answered (${count(body, 'plugin(s)')})`,
        grant: 'read access to the connector plugins (config validation uses them)',
      },
    ],
  });
}
