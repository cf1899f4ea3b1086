import { z } from 'zod';
import { SecretOrStringSchema, SecretRefSchema } from '../common.ts';

/** How Landscape reaches the Kafka brokers of an environment (`spec.kafka`). */
export const KafkaConnectionSchema = z
  .strictObject({
    bootstrapServers: z
      .array(z.string().regex(/^[^\s:]+:\d+$/, 'expected "host:port"'))
      .min(1)
      .describe('Brokers to connect to first, as `host:port`.'),
    clientId: z
      .string()
      .default('landscape')
      .describe('The client id Landscape sends (broker logs and quotas see it).'),
    sasl: z
      .discriminatedUnion('mechanism', [
        /** SASL/SCRAM or PLAIN: a user name and a password held as a secret reference. */
        z.strictObject({
          mechanism: z.enum(['scram-sha-256', 'scram-sha-512', 'plain']),
          username: z.string().min(1),
          password: SecretRefSchema,
        }),
        /** SASL/OAUTHBEARER with a token from an OIDC token endpoint (client-credentials grant). */
        z.strictObject({
          mechanism: z.literal('oauthbearer'),
          tokenEndpoint: z.url().describe('The OAuth 2.0 / OIDC token endpoint (client-credentials grant).'),
          clientId: z.string().min(1),
          clientSecret: SecretRefSchema,
          scope: z.string().min(1).optional().describe('Sent as `scope` in the token request.'),
          audience: z.string().min(1).optional().describe('Sent as `audience` in the token request.'),
          extensions: z
            .record(z.string().regex(/^[A-Za-z]+$/, 'expected letters only'), z.string())
            .optional()
            .describe('SASL extensions sent with the token (Confluent Cloud: `logicalCluster`, `identityPoolId`).'),
        }),
        /**
         * Amazon MSK IAM: a token signed from the default AWS credential chain (the function's role), optionally
         * after assuming `roleArn`. Kafka ACLs are not enforced on IAM-authenticated clusters: Landscape refuses
         * Acl resources there and renders IAM policy documents instead (`clusterArn` scopes them).
         */
        z.strictObject({
          mechanism: z.literal('aws-msk-iam'),
          region: z
            .string()
            .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'expected an AWS region such as "eu-west-1"')
            .optional()
            .describe('Default: AWS_REGION / AWS_DEFAULT_REGION, else the region in the broker host names.'),
          roleArn: z
            .string()
            .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'expected an IAM role ARN')
            .optional()
            .describe('A role to assume before signing (else the default AWS credential chain signs).'),
          roleSessionName: z.string().min(2).max(64).optional(),
          clusterArn: z
            .string()
            .regex(
              /^arn:aws[a-z-]*:kafka:[a-z0-9-]+:\d{12}:cluster\/[^/]+\/[^/]+$/,
              'expected an MSK cluster ARN such as "arn:aws:kafka:eu-west-1:123456789012:cluster/orders/abcd1234-..."',
            )
            .optional()
            .describe(
              '`arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID`: the cluster the rendered IAM policies are scoped to.',
            ),
        }),
      ])
      .optional()
      .describe(
        'How Landscape authenticates over SASL, by `mechanism`: `scram-sha-256`, `scram-sha-512` or `plain` (username and password), `oauthbearer` (client credentials at a token endpoint) or `aws-msk-iam`. Without it (and without a client certificate) the connection is anonymous.',
      ),
    tls: z
      .strictObject({
        enabled: z.boolean().default(true).describe('`false`: a plaintext listener, although `tls` is given.'),
        ca: SecretOrStringSchema.optional().describe(
          "PEM text of the CA that signed the brokers' certificates, or a secret reference to it (default: the system CAs).",
        ),
        rejectUnauthorized: z.boolean().default(true).describe('Off only for tests: accepts any server certificate.'),
        serverName: z.string().optional().describe('The host name the server certificate must name (SNI).'),
        clientCertificate: SecretOrStringSchema.optional().describe(
          'Client certificate chain for mutual TLS (PEM text, or a secret reference to it). Needs `clientKey`.',
        ),
        clientKey: SecretRefSchema.optional().describe(
          "The client certificate's private key (PEM): a secret reference, a key is never inline.",
        ),
        clientKeyPassphrase: SecretRefSchema.optional().describe('Passphrase of an encrypted `clientKey`.'),
      })
      .superRefine((tls, ctx) => {
        // Cross-field rules the object schema cannot express, each reported at the field to fix.
        const problem = (field: string, message: string) =>
          ctx.addIssue({ code: 'custom', path: [field], message, input: tls });
        if (tls.clientCertificate !== undefined && tls.clientKey === undefined) {
          problem(
            'clientCertificate',
            'a client certificate needs `clientKey` (a secret reference to its private key)',
          );
        }
        if (tls.clientKey !== undefined && tls.clientCertificate === undefined) {
          problem('clientKey', 'a client key needs `clientCertificate` (the PEM certificate it belongs to)');
        }
        if (tls.clientKeyPassphrase !== undefined && tls.clientKey === undefined) {
          problem('clientKeyPassphrase', 'a key passphrase needs `clientKey`');
        }
        if (tls.enabled === false && tls.clientCertificate !== undefined) {
          problem('clientCertificate', 'a client certificate needs TLS: remove `enabled: false`');
        }
        for (const field of ['ca', 'clientCertificate'] as const) {
          const value = tls[field];
          if (typeof value !== 'string') continue;
          const reason = pemCertificateProblem(value);
          if (reason) problem(field, `${reason}; give PEM text or a secretRef`);
        }
      })
      .optional()
      .describe('TLS to the brokers (mutual TLS with a client certificate).'),
    requestTimeoutMs: z
      .int()
      .positive()
      .default(30_000)
      .describe('Per-request timeout of admin calls, in milliseconds.'),
    version: z
      .string()
      .regex(/^\d+\.\d+(\.\d+)?$/, 'expected a Kafka version such as "4.1" or "3.9.1"')
      .optional()
      .describe(
        "The brokers' Kafka version (`3.9`, `4.1`, `4.1.2`): topic configs are checked against that version's definitions. Default: the newest version Landscape knows.",
      ),
    superUsers: z
      .array(z.string().min(1))
      .optional()
      .describe(
        "User names of the brokers' `super.users` (a broker never reveals them). They and the user Landscape connects as are never exported, pruned or changed.",
      ),
  })
  .describe('How Landscape reaches the Kafka brokers of this environment.');
export type KafkaConnection = z.infer<typeof KafkaConnectionSchema>;
export type KafkaSasl = NonNullable<KafkaConnection['sasl']>;
export type KafkaSaslMechanism = KafkaSasl['mechanism'];
/** Kafka ACLs are enforced on this connection's cluster (false on MSK IAM, where IAM policies decide). */
export function usesIamAccessControl(connection: Pick<KafkaConnection, 'sasl'>): boolean {
  return connection.sasl?.mechanism === 'aws-msk-iam';
}

/**
 * Why `text` is not one or more PEM certificates (`-----BEGIN CERTIFICATE-----`, base64, `-----END
 * CERTIFICATE-----`), or undefined when it is. Structure only: the adapter parses the certificates themselves.
 */
export function pemCertificateProblem(text: string): string | undefined {
  const blocks = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g)];
  if (blocks.length === 0) return 'not PEM: no "-----BEGIN CERTIFICATE-----" block';
  const outside = text.replace(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g, '').trim();
  if (outside.length > 0) return 'malformed PEM: text outside the BEGIN/END blocks';
  for (const [, begin, body, end] of blocks) {
    if (begin !== end) return `malformed PEM: "BEGIN ${begin}" ends with "END ${end}"`;
    if (begin?.includes('PRIVATE KEY')) return 'a private key belongs in `clientKey` (a secret reference), not here';
    if (begin !== 'CERTIFICATE') return `expected CERTIFICATE blocks, found "${begin}"`;
    const base64 = (body ?? '').replace(/\s+/g, '');
    if (base64.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) {
      return 'malformed PEM: the certificate body is not base64';
    }
  }
  return undefined;
}
