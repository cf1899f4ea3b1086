import { z } from 'zod';
import { SecretOrStringSchema, SecretRefSchema } from '../common.ts';
import { pemProblem } from './pem.ts';

/** TLS of an HTTPS registry or Connect REST endpoint: a private CA and a client certificate (mutual TLS). */
export const HttpTlsSchema = z
  .strictObject({
    ca: SecretOrStringSchema.optional().describe(
      "PEM text of the CA that signed the server's certificate, or a secret reference to it.",
    ),
    clientCertificate: SecretOrStringSchema.optional().describe(
      'Client certificate chain (PEM text, or a secret reference to it). Needs `clientKey`.',
    ),
    clientKey: SecretRefSchema.optional().describe(
      "The client certificate's private key (PEM): a secret reference, a key is never inline.",
    ),
    clientKeyPassphrase: SecretRefSchema.optional().describe('Passphrase of an encrypted `clientKey`.'),
  })
  .describe('A private CA and a client certificate (mutual TLS); needs an `https://` url.');

/** A bearer token from an OAuth 2.0 / OIDC token endpoint (client-credentials grant), cached and refreshed. */
export const HttpOAuthSchema = z
  .strictObject({
    tokenEndpoint: z.url().describe('The OAuth 2.0 / OIDC token endpoint.'),
    clientId: z.string().min(1),
    clientSecret: SecretRefSchema,
    scope: z.string().min(1).optional().describe('Sent as `scope` in the token request.'),
    audience: z.string().min(1).optional().describe('Sent as `audience` in the token request.'),
  })
  .describe(
    'A bearer token from an OAuth 2.0 / OIDC token endpoint (client-credentials grant); excludes `username`, `password` and `token`.',
  );

const httpAuthFields = {
  url: z.url().describe('Base URL of the REST API (`https://` for `tls`).'),
  username: z.string().optional().describe('Basic authentication, with `password`.'),
  password: SecretRefSchema.optional(),
  tls: HttpTlsSchema.optional(),
  oauth: HttpOAuthSchema.optional(),
};

type HttpAuthFields = {
  url: string;
  username?: string | undefined;
  password?: unknown;
  token?: unknown;
  tls?: z.infer<typeof HttpTlsSchema> | undefined;
  oauth?: unknown;
};

/** Cross-field checks shared by the registry and Connect connections; each issue names its field. */
function checkHttpAuth(spec: HttpAuthFields, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path, message, input: spec });
  if (spec.oauth !== undefined) {
    for (const field of ['username', 'password', 'token'] as const) {
      if (spec[field] !== undefined) {
        issue([field], 'cannot be combined with oauth, which supplies the bearer token: remove one');
      }
    }
  }
  const tls = spec.tls;
  if (tls === undefined) return;
  if (!spec.url.startsWith('https:')) {
    issue(['tls'], `needs an https:// url (url is "${spec.url}"): TLS options do nothing over plain HTTP`);
  }
  if (tls.clientCertificate !== undefined && tls.clientKey === undefined) {
    issue(['tls', 'clientKey'], 'is required with clientCertificate (a secret reference to the PEM private key)');
  }
  if (tls.clientKey !== undefined && tls.clientCertificate === undefined) {
    issue(['tls', 'clientCertificate'], 'is required with clientKey (PEM text, or a secret reference to it)');
  }
  for (const field of ['ca', 'clientCertificate'] as const) {
    const value = tls[field];
    if (typeof value !== 'string') continue;
    const problem = pemProblem(value, ['CERTIFICATE']);
    if (problem) {
      issue(['tls', field], `is not a PEM certificate: ${problem} (paste the whole file, BEGIN/END lines included)`);
    }
  }
}

/**
 * How Landscape reaches the schema registry (`spec.schemaRegistry`): Basic (`username` + `password`), a static
 * bearer `token`, or `oauth` (client credentials); `tls` for a private CA and mutual TLS.
 */
export const SchemaRegistryConnectionSchema = z
  .strictObject({ ...httpAuthFields, token: SecretRefSchema.optional().describe('A static bearer token.') })
  .superRefine(checkHttpAuth)
  .describe(
    'The schema registry (Confluent-compatible API): Basic (`username` + `password`), a static bearer `token`, or `oauth`; `tls` for a private CA and mutual TLS.',
  );

/** A Kafka Connect cluster's REST endpoint (`spec.connect.<name>`), with the same authentication options. */
export const ConnectClusterSchema = z
  .strictObject(httpAuthFields)
  .superRefine(checkHttpAuth)
  .describe("A Kafka Connect cluster's REST endpoint, with the same authentication options as the registry.");
export type SchemaRegistryConnection = z.infer<typeof SchemaRegistryConnectionSchema>;
export type ConnectCluster = z.infer<typeof ConnectClusterSchema>;
export type HttpServiceConnection = SchemaRegistryConnection | ConnectCluster;
