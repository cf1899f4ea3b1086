import http from 'node:http';
import https from 'node:https';
import { AdapterError } from '../../errors.ts';

/**
 * A small Kubernetes API client on node:https: server-side apply, get/list/delete and discovery are a handful
 * of REST calls, and this keeps @kubernetes/client-node (55 MB, ~65 ms import) out of the apply path
 * (the "plain HTTPS" alternative of LIBRARIES.md section 5). Discovery (kind -> URL) is cached per client.
 */
export interface KubeConnection {
  /** `https://host:port` (or `http://` for a local, unauthenticated proxy). */
  server: string;
  /** A static bearer token. */
  token?: string;
  /** A bearer token that expires (EKS, exec plugins, rotated service-account tokens); asked before each request. */
  tokenSource?: BearerTokenSource;
  /** PEM text of the cluster CA. */
  ca?: string;
  /** PEM client certificate chain and its private key (mutual TLS). */
  clientCertificate?: string;
  clientKey?: string;
  /** TLS server name, when it differs from the host in `server`. */
  serverName?: string;
  insecureSkipTlsVerify?: boolean;
  /** How the credentials were obtained (`token`, `eks`, `kubeconfig`, ...): named in authentication errors. */
  authType?: string;
  /** Per-request timeout. */
  timeoutMs?: number;
}

/**
 * A bearer token that may expire. `token()` returns a valid token (cached by the source as long as it is good);
 * `invalidate()` is called after the API server answered 401, so the next `token()` makes a fresh one.
 */
export interface BearerTokenSource {
  token(): Promise<string>;
  invalidate(): void;
}

/** The `Status` object the API server returns with every error. */
export interface KubeStatus {
  kind?: 'Status';
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: { reason?: string; message?: string; field?: string }[];
  };
}

/** An error response of the API server, with its Status. 4xx are not retryable (except 429). */
export class KubeApiError extends AdapterError {
  readonly statusCode: number;
  readonly status: KubeStatus;
  constructor(statusCode: number, status: KubeStatus, what: string, options: { message?: string } = {}) {
    super(`${what}: ${options.message ?? status.message ?? status.reason ?? `HTTP ${statusCode}`}`, {
      retryable: statusCode === 429 || statusCode >= 500,
    });
    this.name = 'KubeApiError';
    this.statusCode = statusCode;
    this.status = status;
  }
}

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    generation?: number;
    resourceVersion?: string;
    uid?: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
};

/** What discovery says about one kind. */
export interface ResourceInfo {
  apiVersion: string;
  kind: string;
  /** Plural resource name used in URLs, e.g. `deployments`. */
  resource: string;
  namespaced: boolean;
  verbs: string[];
}

interface ApiResourceList {
  groupVersion: string;
  resources: { name: string; kind: string; namespaced: boolean; verbs?: string[] }[];
}

/** What to check when the API server does not recognise the credentials, by how they were obtained. */
const UNAUTHORIZED_HINT: Record<string, string> = {
  eks:
    'the token is signed for the cluster named in auth.clusterName with the AWS credentials Landscape runs with: ' +
    'check the cluster name, the region and that this IAM identity has an EKS access entry',
  kubeconfig: 'check the user of the kubeconfig context; try the same context with kubectl',
  'in-cluster': "check the pod's service account token",
  token: 'check the token secret',
  'client-certificate': 'check that the client certificate is signed by the client CA of the API server',
};

export class KubeClient {
  readonly server: URL;
  private readonly agent: http.Agent;
  private readonly token: string | undefined;
  private readonly tokenSource: BearerTokenSource | undefined;
  /** Named in authentication and reachability errors. */
  readonly authType: string;
  private readonly timeoutMs: number;
  /** groupVersion -> resource list (undefined: the group version is not served). */
  private readonly discovery = new Map<string, Promise<ApiResourceList | undefined>>();
  private readonly preferred = new Map<string, Promise<string | undefined>>();

  constructor(connection: KubeConnection) {
    this.server = new URL(connection.server);
    this.token = connection.token;
    this.tokenSource = connection.tokenSource;
    this.authType =
      connection.authType ??
      (connection.token || connection.tokenSource
        ? 'token'
        : connection.clientCertificate
          ? 'client-certificate'
          : 'none');
    this.timeoutMs = connection.timeoutMs ?? 30_000;
    this.agent =
      this.server.protocol === 'http:'
        ? new http.Agent({ keepAlive: true, maxSockets: 16 })
        : new https.Agent({
            keepAlive: true,
            maxSockets: 16,
            ...(connection.ca ? { ca: connection.ca } : {}),
            ...(connection.clientCertificate && connection.clientKey
              ? { cert: connection.clientCertificate, key: connection.clientKey }
              : {}),
            ...(connection.serverName ? { servername: connection.serverName } : {}),
            rejectUnauthorized: !connection.insecureSkipTlsVerify,
          });
  }

  close(): void {
    this.agent.destroy();
  }

  /** Forgets discovery results (after a CRD was created or a kind was not found). */
  resetDiscovery(): void {
    this.discovery.clear();
    this.preferred.clear();
  }

  /**
   * One API call. Resolves with the parsed body for 2xx; throws KubeApiError (with the server's Status) for
   * anything else, and AdapterError (retryable) when the server can not be reached.
   */
  async request<T = unknown>(
    method: 'GET' | 'PATCH' | 'DELETE' | 'POST' | 'PUT',
    path: string,
    options: { query?: Record<string, string | undefined>; body?: unknown; contentType?: string; what?: string } = {},
  ): Promise<T> {
    try {
      return await this.send<T>(method, path, options);
    } catch (error) {
      // An expiring token may have expired between being made and being checked (or been revoked and
      // re-issued): one retry with a fresh one. A second 401 is the answer.
      if (!(error instanceof KubeApiError) || error.statusCode !== 401 || !this.tokenSource) throw error;
      this.tokenSource.invalidate();
      return this.send<T>(method, path, options);
    }
  }

  private async send<T>(
    method: 'GET' | 'PATCH' | 'DELETE' | 'POST' | 'PUT',
    path: string,
    options: { query?: Record<string, string | undefined>; body?: unknown; contentType?: string; what?: string },
  ): Promise<T> {
    const url = new URL(path, this.server);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = this.tokenSource ? await this.tokenSource.token() : this.token;
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) {
      headers['content-type'] = options.contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const what = options.what ?? `${method} ${url.pathname}`;
    const transport = url.protocol === 'http:' ? http : https;
    const { statusCode, text } = await new Promise<{ statusCode: number; text: string }>((resolve, reject) => {
      const req = transport.request(url, { method, headers, agent: this.agent, timeout: this.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', (error) =>
        reject(
          new AdapterError(
            `${what}: Kubernetes API ${this.server.origin} unreachable (auth: ${this.authType}): ${error.message}`,
            {
              cause: error,
              retryable: true,
            },
          ),
        ),
      );
      if (body !== undefined) req.write(body);
      req.end();
    });
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = { message: text.slice(0, 200) };
    }
    if (statusCode >= 200 && statusCode < 300) return parsed as T;
    const status = (parsed ?? {}) as KubeStatus;
    if (statusCode === 401) {
      // The API server says only "Unauthorized": say which server and which credentials it refused.
      throw new KubeApiError(statusCode, status, what, {
        message:
          `the Kubernetes API server ${this.server.origin} refused the credentials (auth: ${this.authType}): ` +
          `${status.message ?? 'Unauthorized'} (${UNAUTHORIZED_HINT[this.authType] ?? 'check the credentials'})`,
      });
    }
    if (statusCode === 403) {
      throw new KubeApiError(statusCode, status, what, {
        message: `${status.message ?? 'Forbidden'} (API server ${this.server.origin}, auth: ${this.authType})`,
      });
    }
    throw new KubeApiError(statusCode, status, what);
  }

  /** The resource list of one group version, cached; undefined when the server does not serve it. */
  private groupVersion(apiVersion: string): Promise<ApiResourceList | undefined> {
    let cached = this.discovery.get(apiVersion);
    if (!cached) {
      const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      cached = this.request<ApiResourceList>('GET', path, { what: `discovering ${apiVersion}` }).catch(
        (error: unknown) => {
          if (error instanceof KubeApiError && error.statusCode === 404) return undefined;
          this.discovery.delete(apiVersion);
          throw error;
        },
      );
      this.discovery.set(apiVersion, cached);
    }
    return cached;
  }

  /**
   * Maps apiVersion + kind to its URL resource and scope (cached). Returns undefined when the server does not
   * know the kind (a CRD not installed yet); a miss refreshes the cache once.
   */
  async resourceFor(apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
    const find = async () => {
      const list = await this.groupVersion(apiVersion);
      const entry = list?.resources.find((r) => r.kind === kind && !r.name.includes('/'));
      return entry
        ? { apiVersion, kind, resource: entry.name, namespaced: entry.namespaced, verbs: entry.verbs ?? [] }
        : undefined;
    };
    const found = await find();
    if (found) return found;
    this.discovery.delete(apiVersion);
    return find();
  }

  /** The preferred version of an API group (`core` -> `v1`), for keys that carry no version. */
  async preferredVersion(group: string): Promise<string | undefined> {
    if (group === 'core') return 'v1';
    let cached = this.preferred.get(group);
    if (!cached) {
      cached = this.request<{ preferredVersion?: { groupVersion?: string } }>('GET', `/apis/${group}`, {
        what: `discovering group ${group}`,
      })
        .then((g) => g.preferredVersion?.groupVersion)
        .catch((error: unknown) => {
          this.preferred.delete(group);
          if (error instanceof KubeApiError && error.statusCode === 404) return undefined;
          throw error;
        });
      this.preferred.set(group, cached);
    }
    return cached;
  }

  /** URL path of an object (name given) or of its collection (name omitted). */
  static pathOf(info: ResourceInfo, namespace: string | undefined, name?: string): string {
    const base = info.apiVersion.includes('/') ? `/apis/${info.apiVersion}` : `/api/${info.apiVersion}`;
    const scope = info.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    return `${base}${scope}/${info.resource}${name !== undefined ? `/${encodeURIComponent(name)}` : ''}`;
  }
}
