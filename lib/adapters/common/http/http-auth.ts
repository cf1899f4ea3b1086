import { describeSecretRef, isSecretRef, type SecretRef } from '../../../model/common.ts';
import type { HttpServiceConnection } from '../../../model/connections/http-services.ts';
import type { SecretResolver } from '../../../ports/secret-resolver.ts';
import { ClientCredentialsTokenSource } from '../oauth-client-credentials.ts';
import { checkClientKeyPair } from '../tls-key-pair.ts';
import type { AuthorizationSource, HttpTls } from './json-http-client.ts';

/** What a JsonHttpClient needs to authenticate: a header (or a source of one), TLS material, and its name. */
export interface HttpAuth {
  authorization?: string | AuthorizationSource;
  tls?: HttpTls;
  /** `basic`, `bearer`, `oauth`, `mtls`, or two of them joined by `+`. */
  authType?: string;
}

/**
 * Resolves the credentials of a registry or Connect connection (`field` names it in errors, e.g.
 * `spec.schemaRegistry`): Basic, a static bearer token, or an OAuth client-credentials token source (cached and
 * refreshed by ClientCredentialsTokenSource); and a CA and client certificate for TLS, the pair checked here.
 * Secrets are resolved here, in the adapter, and nowhere else.
 */
export async function resolveHttpAuth(
  connection: HttpServiceConnection,
  secrets: SecretResolver,
  field: string,
): Promise<HttpAuth> {
  const auth: HttpAuth = {};
  const types: string[] = [];
  if (connection.oauth) {
    const { tokenEndpoint, clientId, clientSecret, scope, audience } = connection.oauth;
    const source = new ClientCredentialsTokenSource({
      tokenEndpoint,
      clientId,
      clientSecret: await secrets.resolve(clientSecret),
      scope,
      audience,
    });
    auth.authorization = {
      current: async () => `Bearer ${(await source.token()).value}`,
      discard: (refused) => source.discard(refused.replace(/^Bearer /, '')),
    };
    types.push('oauth');
  } else if ('token' in connection && connection.token) {
    auth.authorization = `Bearer ${await secrets.resolve(connection.token)}`;
    types.push('bearer');
  } else if (connection.username !== undefined) {
    const password = connection.password ? await secrets.resolve(connection.password) : '';
    auth.authorization = `Basic ${Buffer.from(`${connection.username}:${password}`).toString('base64')}`;
    types.push('basic');
  }
  const tls = connection.tls;
  if (tls) {
    const text = async (value: string | SecretRef) => (isSecretRef(value) ? await secrets.resolve(value) : value);
    const material: HttpTls = {};
    if (tls.ca !== undefined) material.ca = await text(tls.ca);
    if (tls.clientCertificate !== undefined && tls.clientKey !== undefined) {
      material.cert = await text(tls.clientCertificate);
      material.key = await secrets.resolve(tls.clientKey);
      if (tls.clientKeyPassphrase) material.passphrase = await secrets.resolve(tls.clientKeyPassphrase);
      const name = (value: string | SecretRef) =>
        isSecretRef(value) ? `secret "${describeSecretRef(value)}"` : 'inline';
      checkClientKeyPair(
        material.cert,
        material.key,
        `${field}.tls.clientCertificate (${name(tls.clientCertificate)})`,
        `${field}.tls.clientKey (${name(tls.clientKey)})`,
        material.passphrase,
      );
      types.push('mtls');
    }
    auth.tls = material;
  }
  if (types.length > 0) auth.authType = types.join('+');
  return auth;
}
