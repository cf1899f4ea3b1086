import { HttpStatusError, messageOf } from '../../../errors.ts';
import type { HttpServiceConnection } from '../../../model/connections/http-services.ts';
import { type DoctorCheck, failed, ok, skipped } from '../../../model/doctor.ts';
import type { SecretResolver } from '../../../ports/secret-resolver.ts';
import { type HttpAuth, resolveHttpAuth } from './http-auth.ts';
import type { JsonHttpClient } from './json-http-client.ts';

/** One read-only call of a doctor probe: what it proves, and how its answer is summed up. */
export interface HttpDoctorCall {
  check: string;
  path: string;
  summary: (body: unknown) => string;
  /** What to grant when the service answers 403 to this call. */
  grant: string;
}

/**
 * The doctor checks of a REST service (schema registry, Kafka Connect) on the adapter's own client: the
 * credentials resolve, the first call tells reachable and authenticated apart (a network error, then a 401,
 * then anything else), and each later call is a permission the service needs. Read-only GETs, no retries.
 */
export async function probeHttpService(input: {
  target: string;
  /** The config field, for fixes: `spec.schemaRegistry`, `spec.connect.default`. */
  field: string;
  connection: HttpServiceConnection;
  secrets: SecretResolver;
  client: (auth: HttpAuth) => JsonHttpClient;
  calls: readonly HttpDoctorCall[];
}): Promise<DoctorCheck[]> {
  const { target, field, connection } = input;
  let auth: HttpAuth;
  try {
    auth = await resolveHttpAuth(connection, input.secrets, field);
  } catch (error) {
    return [failed(target, 'credentials', messageOf(error), `make the secret references of ${field} resolve`)];
  }
  const client = input.client(auth);
  const how = auth.authType ?? 'no authentication';
  const checks: DoctorCheck[] = [];
  try {
    for (const [index, call] of input.calls.entries()) {
      try {
        const body = await client.request<unknown>('GET', call.path);
        if (index === 0) {
          checks.push(ok(target, 'reachable', `${connection.url} answered`));
          checks.push(ok(target, 'authentication', `accepted (${how})`));
        }
        checks.push(ok(target, call.check, call.summary(body)));
      } catch (error) {
        const message = messageOf(error);
        // An OAuth token endpoint that refuses the client is an authentication failure too.
        const refused = /refused the credentials|token endpoint/i.test(message);
        const status = error instanceof HttpStatusError ? error.status : /HTTP (\d{3})/.exec(message)?.[1];
        if (index === 0 && !refused && !(error instanceof HttpStatusError)) {
          checks.push(
            failed(
              target,
              'reachable',
              message,
              `check ${field}.url (scheme, host, port and path prefix) and that this network can reach it`,
            ),
            skipped(target, 'authentication', 'not tried: the service was not reached'),
          );
          return checks;
        }
        if (index === 0) checks.push(ok(target, 'reachable', `${connection.url} answered`));
        if (refused && String(status) !== '403') {
          checks.push(
            failed(
              target,
              'authentication',
              message,
              `check the credentials of ${field} (${how}): the service does not accept them`,
            ),
          );
          return checks;
        }
        if (index === 0) checks.push(ok(target, 'authentication', `accepted (${how})`));
        checks.push(
          failed(
            target,
            call.check,
            message,
            String(status) === '403' ? `grant ${call.grant}` : `see the service's answer: GET ${call.path} must work`,
          ),
        );
      }
    }
  } finally {
    client.close();
  }
  return checks;
}
