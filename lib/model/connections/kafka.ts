import { z } from 'zod';
import { SecretOrStringSchema, SecretRefSchema } from '../common.ts';

/** How Landscape reaches the Kafka brokers of an environment (`spec.kafka`). */
export const KafkaConnectionSchema = z.strictObject({
  bootstrapServers: z.array(z.string().regex(/^[^\s:]+:\d+$/, 'expected "host:port"')).min(1),
  clientId: z.string().default('landscape'),
  /**
   * How Landscape authenticates over SASL, by mechanism. Without `sasl` (and without a client certificate) the
   * connection is anonymous. Client certificates (mTLS) are under `tls`.
   */
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
        tokenEndpoint: z.url(),
        clientId: z.string().min(1),
        clientSecret: SecretRefSchema,
        scope: z.string().min(1).optional(),
        audience: z.string().min(1).optional(),
        /** SASL extensions sent with the token (Confluent Cloud: `logicalCluster`, `identityPoolId`). */
        extensions: z.record(z.string().regex(/^[A-Za-z]+$/, 'expected letters only'), z.string()).optional(),
      }),
      /**
       * Amazon MSK IAM: a token signed from the default AWS credential chain (the function's role), optionally
       * after assuming `roleArn`. Kafka ACLs are not enforced on IAM-authenticated clusters: Landscape refuses
       * Acl resources there and renders IAM policy documents instead (`clusterArn` scopes them).
       */
      z.strictObject({
        mechanism: z.literal('aws-msk-iam'),
        /** Default: AWS_REGION / AWS_DEFAULT_REGION, else the region in the broker host names. */
        region: z
          .string()
          .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'expected an AWS region such as "eu-west-1"')
          .optional(),
        roleArn: z
          .string()
          .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'expected an IAM role ARN')
          .optional(),
        roleSessionName: z.string().min(2).max(64).optional(),
        /** `arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID`: the resource IAM policies are scoped to. */
        clusterArn: z
          .string()
          .regex(
            /^arn:aws[a-z-]*:kafka:[a-z0-9-]+:\d{12}:cluster\/[^/]+\/[^/]+$/,
            'expected an MSK cluster ARN such as "arn:aws:kafka:eu-west-1:123456789012:cluster/orders/abcd1234-..."',
          )
          .optional(),
      }),
    ])
    .optional(),
  tls: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** PEM text, or a secret reference to it. */
      ca: SecretOrStringSchema.optional(),
      rejectUnauthorized: z.boolean().default(true),
      serverName: z.string().optional(),
      /** Client certificate chain for mutual TLS (PEM text, or a secret reference to it). Needs `clientKey`. */
      clientCertificate: SecretOrStringSchema.optional(),
      /** The client certificate's private key (PEM). A secret reference: a key is never inline. */
      clientKey: SecretRefSchema.optional(),
      /** Passphrase of an encrypted `clientKey`. */
      clientKeyPassphrase: SecretRefSchema.optional(),
    })
    .superRefine((tls, ctx) => {
      // Cross-field rules the object schema cannot express, each reported at the field to fix.
      const problem = (field: string, message: string) =>
        ctx.addIssue({ code: 'custom', path: [field], message, input: tls });
      if (tls.clientCertificate !== undefined && tls.clientKey === undefined) {
        problem('clientCertificate', 'a client certificate needs `clientKey` (a secret reference to its private key)');
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
    .optional(),
  /** Per-request timeout for admin calls. */
  requestTimeoutMs: z.int().positive().default(30_000),
  /**
   * The brokers' Kafka version (`3.9`, `4.1`, `4.1.2`): topic configs are checked against that version's own
   * definitions (names, types, ranges). Default: the newest version Landscape knows.
   */
  version: z
    .string()
    .regex(/^\d+\.\d+(\.\d+)?$/, 'expected a Kafka version such as "4.1" or "3.9.1"')
    .optional(),
  /**
   * User names of the brokers' super-users (their `super.users`, which a broker never reveals over the
   * protocol). They and the user Landscape connects as are protected: never exported, pruned or changed.
   */
  superUsers: z.array(z.string().min(1)).optional(),
});
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
