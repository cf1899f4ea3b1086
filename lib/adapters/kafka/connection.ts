import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import {
  Admin,
  type AdminOptions,
  type Connection,
  SASLMechanisms,
  type SASLMechanismValue,
} from '@platformatic/kafka';
import { AdapterError, messageOf } from '../../errors.ts';
import { isSecretRef } from '../../model/common.ts';
import type { KafkaConnection } from '../../model/environment.ts';
import type { SecretResolver } from '../../ports/secret-resolver.ts';
import { describeKafkaError, isRetryableKafkaError } from './kafka-errors.ts';

/** SASL mechanism names as the config spells them, mapped to the client's names. */
const SASL_MECHANISM: Record<'scram-sha-256' | 'scram-sha-512' | 'plain', SASLMechanismValue> = {
  'scram-sha-256': SASLMechanisms.SCRAM_SHA_256,
  'scram-sha-512': SASLMechanisms.SCRAM_SHA_512,
  plain: SASLMechanisms.PLAIN,
};

/**
 * An open admin client plus what the adapter needs around it. One session per provider; it is closed by
 * `ResourceProvider.close()`.
 */
export interface KafkaSession {
  readonly admin: Admin;
  /** Timeout the broker is asked to honour for one request (CreateTopics `timeout_ms` and similar). */
  readonly timeoutMs: number;
  /** `host:port,...` for messages; never contains credentials. */
  readonly servers: string;
  /**
   * A connection to one broker, for the low-level protocol calls the high-level `Admin` does not offer
   * (per-topic configs in CreateTopics, SCRAM credentials). Any broker will do: KRaft brokers forward
   * controller-bound requests to the active controller.
   */
  anyBroker(): Promise<Connection>;
}

/**
 * Builds the `Admin` options from an Environment's Kafka connection. Secret references (SASL password,
 * CA PEM) are resolved here, once, and only ever handed to the client.
 */
export async function buildAdminOptions(connection: KafkaConnection, secrets: SecretResolver): Promise<AdminOptions> {
  const options: AdminOptions = {
    clientId: connection.clientId,
    bootstrapBrokers: connection.bootstrapServers,
    // `timeout` is what the library passes as the broker-side timeout_ms of admin requests; requestTimeout
    // is how long the socket waits for the answer. Large batches need both.
    timeout: connection.requestTimeoutMs,
    requestTimeout: connection.requestTimeoutMs,
    connectTimeout: Math.min(connection.requestTimeoutMs, 10_000),
    // Library retries only apply to the high-level calls we use for idempotent operations (ACLs, quotas,
    // incremental configs); a short delay keeps an unreachable broker from stalling a run for long.
    retries: 3,
    retryDelay: 250,
  };
  if (connection.sasl) {
    if (!('password' in connection.sasl)) {
      throw new AdapterError(`kafka sasl mechanism "${connection.sasl.mechanism}" is not supported by this build yet`);
    }
    const password = await resolveSecret(secrets, connection.sasl.password, 'the kafka sasl password');
    options.sasl = {
      mechanism: SASL_MECHANISM[connection.sasl.mechanism],
      username: connection.sasl.username,
      password,
    };
  }
  if (connection.tls && connection.tls.enabled !== false) {
    const tls: TlsConnectionOptions = { rejectUnauthorized: connection.tls.rejectUnauthorized };
    if (connection.tls.ca !== undefined) {
      tls.ca = isSecretRef(connection.tls.ca)
        ? await resolveSecret(secrets, connection.tls.ca, 'the kafka tls ca')
        : connection.tls.ca;
    }
    if (connection.tls.serverName !== undefined) {
      tls.servername = connection.tls.serverName;
      options.tlsServerName = connection.tls.serverName;
    }
    options.tls = tls;
  }
  return options;
}

/** Opens an admin session. Nothing is sent until the first call: the client connects lazily. */
export async function openKafkaSession(connection: KafkaConnection, secrets: SecretResolver): Promise<KafkaSession> {
  const admin = new Admin(await buildAdminOptions(connection, secrets));
  const servers = connection.bootstrapServers.join(',');
  return {
    admin,
    timeoutMs: connection.requestTimeoutMs,
    servers,
    async anyBroker() {
      let connections: Map<number, Connection>;
      try {
        connections = await admin.connectToBrokers();
      } catch (error) {
        throw new AdapterError(`connecting to kafka at "${servers}": ${describeKafkaError(error)}`, {
          cause: error,
          retryable: isRetryableKafkaError(error),
        });
      }
      const first = [...connections.entries()].sort(([a], [b]) => a - b)[0];
      if (!first) throw new AdapterError(`connecting to kafka at "${servers}": the cluster reported no brokers`);
      return first[1];
    },
  };
}

async function resolveSecret(
  secrets: SecretResolver,
  ref: Parameters<SecretResolver['resolve']>[0],
  what: string,
): Promise<string> {
  try {
    return await secrets.resolve(ref);
  } catch (error) {
    // Resolver errors name the reference, never the value (SecretResolver contract).
    throw new AdapterError(`resolving ${what}: ${messageOf(error)}`, { cause: error });
  }
}
