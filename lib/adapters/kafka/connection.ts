import {
  Admin,
  type AdminOptions,
  AuthenticationError,
  type Connection,
  SASLMechanisms,
  type SASLMechanismValue,
} from '@platformatic/kafka';
import { AdapterError, messageOf } from '../../errors.ts';
import type { KafkaConnection } from '../../model/environment.ts';
import type { SecretResolver } from '../../ports/secret-resolver.ts';
import { ClientCredentialsTokenSource } from '../common/oauth-client-credentials.ts';
import { buildKafkaTls } from './auth/tls.ts';
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
 * How a connection authenticates, for messages: `SASL/SCRAM-SHA-512`, `SASL/OAUTHBEARER (token endpoint ...)`,
 * `AWS MSK IAM (SASL/OAUTHBEARER)`, `mutual TLS`, `TLS (no client authentication)`, `no authentication`.
 */
export function describeKafkaAuth(connection: KafkaConnection): string {
  const tls = connection.tls && connection.tls.enabled !== false;
  const mtls = tls && connection.tls?.clientCertificate !== undefined;
  const sasl = connection.sasl;
  let described: string;
  if (!sasl) described = mtls ? 'mutual TLS' : tls ? 'TLS without client authentication' : 'no authentication';
  else if (sasl.mechanism === 'oauthbearer') described = `SASL/OAUTHBEARER (token endpoint ${sasl.tokenEndpoint})`;
  else if (sasl.mechanism === 'aws-msk-iam') described = 'AWS MSK IAM (SASL/OAUTHBEARER)';
  else described = `SASL/${SASL_MECHANISM[sasl.mechanism]} as "${sasl.username}"`;
  return sasl && mtls ? `${described} with a client certificate` : described;
}

/**
 * Builds the client options (admin, producer, consumer) from an Environment's Kafka connection. Every Kafka client
 * Landscape opens goes through here. Secret references (SASL password, OAuth client secret, CA, client
 * certificate and key) are resolved here, once, and only ever handed to the client; tokens (OAuth, MSK IAM) are
 * fetched lazily per broker connection and re-authentication, from a cache that refreshes them before expiry.
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
  const sasl = connection.sasl;
  if (sasl?.mechanism === 'oauthbearer') {
    const clientSecret = await resolveSecret(secrets, sasl.clientSecret, 'the kafka oauthbearer client secret');
    const tokens = new ClientCredentialsTokenSource({
      tokenEndpoint: sasl.tokenEndpoint,
      clientId: sasl.clientId,
      clientSecret,
      scope: sasl.scope,
      audience: sasl.audience,
    });
    options.sasl = {
      mechanism: SASLMechanisms.OAUTHBEARER,
      token: async () => (await tokens.token()).value,
      ...(sasl.extensions ? { oauthBearerExtensions: sasl.extensions } : {}),
      authBytesValidator: refuseOAuthBearerError,
    };
  } else if (sasl?.mechanism === 'aws-msk-iam') {
    // The AWS SDK loads only for environments that use it (it costs import time everywhere else).
    const { MskIamTokenSource, mskIamRegion } = await import('./auth/msk-iam.ts');
    const region = mskIamRegion(sasl, connection.bootstrapServers);
    if (!region) {
      throw new AdapterError(
        'kafka aws-msk-iam: no AWS region: set spec.kafka.sasl.region (or AWS_REGION), or use the MSK broker host names',
      );
    }
    const tokens = new MskIamTokenSource({ region, roleArn: sasl.roleArn, roleSessionName: sasl.roleSessionName });
    options.sasl = {
      mechanism: SASLMechanisms.OAUTHBEARER,
      token: () => tokens.token(),
      authBytesValidator: refuseOAuthBearerError,
    };
  } else if (sasl) {
    const password = await resolveSecret(secrets, sasl.password, 'the kafka sasl password');
    options.sasl = { mechanism: SASL_MECHANISM[sasl.mechanism], username: sasl.username, password };
  }
  if (connection.tls && connection.tls.enabled !== false) {
    options.tls = await buildKafkaTls(connection.tls, secrets);
    if (connection.tls.serverName !== undefined) options.tlsServerName = connection.tls.serverName;
  }
  return options;
}

/**
 * RFC 7628 section 3.2.2: a broker that refuses an OAUTHBEARER token answers the first message with a JSON
 * error (`{"status":"invalid_token"}`) instead of failing it, and fails the exchange only after the client's
 * next message. Without this check the client would take that answer for success.
 */
function refuseOAuthBearerError(authBytes: Buffer, callback: (error: Error | null, value?: Buffer) => void): void {
  if (authBytes.length > 0) {
    let status: unknown;
    try {
      status = (JSON.parse(authBytes.toString('utf8')) as { status?: unknown }).status;
    } catch {
      status = undefined;
    }
    if (status !== undefined) {
      callback(new AuthenticationError(`the broker refused the OAUTHBEARER token (${String(status)})`));
      return;
    }
  }
  callback(null, authBytes);
}

/** Opens an admin session. Nothing is sent until the first call: the client connects lazily. */
export async function openKafkaSession(connection: KafkaConnection, secrets: SecretResolver): Promise<KafkaSession> {
  const admin = new Admin(await buildAdminOptions(connection, secrets));
  const servers = connection.bootstrapServers.join(',');
  const auth = describeKafkaAuth(connection);
  return {
    admin,
    timeoutMs: connection.requestTimeoutMs,
    servers,
    async anyBroker() {
      let connections: Map<number, Connection>;
      try {
        connections = await admin.connectToBrokers();
      } catch (error) {
        const reason = describeKafkaError(error);
        // TLS 1.3 brokers refuse a client certificate after the handshake: the client only sees the socket close.
        const hint =
          auth.includes('client certificate') || auth === 'mutual TLS'
            ? /connection closed|ECONNRESET|socket hang up/i.test(reason)
              ? ' (a broker that refuses the client certificate closes the connection: check its CA and subject)'
              : ''
            : '';
        throw new AdapterError(`connecting to kafka at "${servers}" with ${auth}: ${reason}${hint}`, {
          cause: error,
          retryable: isRetryableKafkaError(error),
        });
      }
      const first = [...connections.entries()].sort(([a], [b]) => a - b)[0];
      if (!first)
        throw new AdapterError(`connecting to kafka at "${servers}" with ${auth}: the cluster reported no brokers`);
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
