import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdapterError, messageOf } from '../../errors.ts';
import { describeSecretRef, isSecretRef, type SecretRef } from '../../model/common.ts';
import type { KubernetesConnection } from '../../model/connections/kubernetes.ts';
import type { SecretResolver } from '../../ports/secret-resolver.ts';
import { checkClientKeyPair as checkKeyPair } from '../common/tls-key-pair.ts';
import { describeEksCluster, EksTokenSource, eksCredentials } from './eks-token.ts';
import type { ExecLimits } from './exec-credential.ts';
import type { KubeConnection } from './kube-client.ts';
import { connectionFromKubeconfig, FileTokenSource } from './kubeconfig.ts';

export const DEFAULT_SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeCredentialOptions {
  /** The process environment (AWS region, KUBERNETES_SERVICE_HOST/PORT). Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  execLimits?: ExecLimits;
}

/**
 * Turns `spec.kubernetes` into what the client needs: server, CA, client certificate and key, and a static
 * token or a token source (EKS, kubeconfig exec plugin or tokenFile, in-cluster service account). Secrets are
 * resolved here, in the adapter, and never leave it; every error names the field or file and the auth type.
 */
export async function resolveKubeConnection(
  k8s: KubernetesConnection,
  secrets: SecretResolver,
  options: KubeCredentialOptions = {},
): Promise<KubeConnection> {
  const env = options.env ?? process.env;
  const auth = k8s.auth;
  const text = async (value: string | SecretRef) => (isSecretRef(value) ? await secrets.resolve(value) : value);
  let connection: KubeConnection;
  switch (auth?.type) {
    case undefined: {
      connection = { server: k8s.server as string, authType: k8s.token ? 'token' : 'none' };
      if (k8s.token) connection.token = await secrets.resolve(k8s.token);
      if (k8s.clientCertificate !== undefined && k8s.clientKey !== undefined) {
        connection.clientCertificate = await text(k8s.clientCertificate);
        connection.clientKey = await secrets.resolve(k8s.clientKey);
        checkKeyPair(
          connection.clientCertificate,
          connection.clientKey,
          `spec.kubernetes.clientCertificate (${source(k8s.clientCertificate)})`,
          `spec.kubernetes.clientKey (${source(k8s.clientKey)})`,
        );
        if (!k8s.token) connection.authType = 'client-certificate';
      }
      break;
    }
    case 'kubeconfig':
      connection = connectionFromKubeconfig({ path: auth.path, context: auth.context }, options.execLimits);
      if (k8s.server) connection.server = k8s.server;
      if (connection.clientCertificate && connection.clientKey) {
        const file = auth.path ?? 'the default kubeconfig';
        checkKeyPair(
          connection.clientCertificate,
          connection.clientKey,
          `the client certificate of kubeconfig "${file}"`,
          `the client key of kubeconfig "${file}"`,
        );
      }
      break;
    case 'in-cluster': {
      const dir = auth.serviceAccountDir ?? DEFAULT_SERVICE_ACCOUNT_DIR;
      let server = k8s.server;
      if (!server) {
        const host = env.KUBERNETES_SERVICE_HOST;
        const port = env.KUBERNETES_SERVICE_PORT;
        if (!host || !port) {
          throw new AdapterError(
            'spec.kubernetes.auth (type in-cluster): KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set: ' +
              'Landscape is not running in a pod; set spec.kubernetes.server, or use auth type kubeconfig',
          );
        }
        server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
      }
      connection = {
        server,
        authType: 'in-cluster',
        tokenSource: new FileTokenSource(join(dir, 'token'), 'in-cluster service-account token'),
      };
      if (k8s.ca === undefined) {
        try {
          connection.ca = readFileSync(join(dir, 'ca.crt'), 'utf8');
        } catch (error) {
          throw new AdapterError(
            `spec.kubernetes.auth (type in-cluster): the cluster CA "${join(dir, 'ca.crt')}" cannot be read ` +
              `(${messageOf(error)}): is the service account token mounted (automountServiceAccountToken)?`,
            { cause: error },
          );
        }
      }
      // Fail now, naming the file, rather than on the first request.
      await connection.tokenSource?.token();
      break;
    }
    case 'eks': {
      const region = auth.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
      if (!region) {
        throw new AdapterError(
          `spec.kubernetes.auth (type eks, cluster "${auth.clusterName}"): no AWS region: set auth.region, or AWS_REGION`,
        );
      }
      const credentials = eksCredentials({ region, roleArn: auth.roleArn, roleSessionName: auth.roleSessionName });
      let server = k8s.server;
      let ca: string | undefined;
      if (!server || k8s.ca === undefined) {
        const described = await describeEksCluster(auth.clusterName, region, credentials);
        server ??= described.server;
        ca = described.ca;
      }
      connection = {
        server,
        authType: 'eks',
        tokenSource: new EksTokenSource({ clusterName: auth.clusterName, region, credentials }),
        ...(ca !== undefined ? { ca } : {}),
      };
      break;
    }
  }
  if (k8s.ca !== undefined) connection.ca = await text(k8s.ca);
  connection.insecureSkipTlsVerify = connection.insecureSkipTlsVerify || k8s.insecureSkipTlsVerify;
  return connection;
}

/** Names a PEM field for errors: the secret reference, or "inline". */
const source = (value: string | SecretRef) => (isSecretRef(value) ? `secret "${describeSecretRef(value)}"` : 'inline');
