import type { SchemaRegistryConnection } from '../../model/connections/http-services.ts';
import type { DoctorCheck } from '../../model/doctor.ts';
import type { SecretResolver } from '../../ports/secret-resolver.ts';
import { probeHttpService } from '../common/http/http-doctor-probe.ts';
import { RegistryClient } from './registry-client.ts';

const count = (body: unknown, noun: string) => `${Array.isArray(body) ? body.length : 0} ${noun}`;

/** The schema registry checks of `landscape doctor`: reachable, credentials accepted, subjects listed. */
export function probeSchemaRegistry(
  connection: SchemaRegistryConnection,
  secrets: SecretResolver,
  options: { timeoutMs: number },
): Promise<DoctorCheck[]> {
  return probeHttpService({
    target: 'schema registry',
    field: 'spec.schemaRegistry',
    connection,
    secrets,
    client: (auth) => new RegistryClient({ url: connection.url, ...auth, timeoutMs: options.timeoutMs, retries: 0 }),
    calls: [
      {
        check: 'list subjects',
        path: '/subjects',
        summary: (body) => `GET /subjects answered (${count(body, 'subject(s)')})`,
        grant: 'read access to all subjects (Landscape lists them to find unmanaged and pruned ones)',
      },
    ],
  });
}
