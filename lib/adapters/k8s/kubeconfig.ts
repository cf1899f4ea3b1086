import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { isMap, LineCounter, parseDocument } from 'yaml';
import { AdapterError, messageOf } from '../../errors.ts';
import { type ExecConfig, type ExecLimits, ExecTokenSource } from './exec-credential.ts';
import type { KubeConnection } from './kube-client.ts';

interface KubeconfigCluster {
  server?: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
  'proxy-url'?: string;
}

interface KubeconfigUser {
  token?: string;
  tokenFile?: string;
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  exec?: ExecConfig;
  username?: string;
  password?: string;
  'auth-provider'?: unknown;
}

interface Kubeconfig {
  'current-context'?: string;
  clusters?: { name?: string; cluster?: KubeconfigCluster }[];
  users?: { name?: string; user?: KubeconfigUser }[];
  contexts?: { name?: string; context?: { cluster?: string; user?: string; namespace?: string } }[];
}

/** The kubeconfig kubectl would read: the first file of $KUBECONFIG, else ~/.kube/config. */
export function defaultKubeconfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const first = (env.KUBECONFIG ?? '').split(delimiter).find((p) => p.length > 0);
  return first ?? join(homedir(), '.kube', 'config');
}

/**
 * Reads a kubeconfig context into a connection: server, CA (`certificate-authority` or `-data`), TLS server
 * name, and the user's credentials: client certificate and key (files or `-data`), `token` / `tokenFile`, or an
 * exec credential plugin. Relative file paths are relative to the kubeconfig, as kubectl reads them. Every
 * problem names the file (and the line, for YAML errors) and says what to fix; no credential is ever quoted.
 */
export function connectionFromKubeconfig(
  options: { path?: string | undefined; context?: string | undefined },
  limits: ExecLimits = {},
): KubeConnection {
  const path = resolve(options.path ?? defaultKubeconfigPath());
  const fail = (problem: string): never => {
    throw new AdapterError(`kubeconfig "${path}" (spec.kubernetes.auth): ${problem}`, { retryable: false });
  };
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    fail(`cannot be read (${messageOf(error)}): set auth.path to the kubeconfig file, or $KUBECONFIG for the default`);
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  const yamlError = document.errors[0];
  if (yamlError) {
    const position = yamlError.linePos?.[0];
    // Only the first line of the message: the rest quotes the file, which may hold a token.
    const reason = (yamlError.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    fail(`line ${position?.line ?? 1}: not valid YAML (${reason}): fix the file, or point auth.path elsewhere`);
  }
  if (!isMap(document.contents)) fail('is not a kubeconfig (expected a mapping with clusters, users and contexts)');
  const config = document.toJS() as Kubeconfig;
  const lineOf = (path: (string | number)[]) => {
    const node = document.getIn(path, true) as { range?: [number, number, number] } | undefined;
    return node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
  };
  const at = (listName: 'clusters' | 'users' | 'contexts', index: number, field?: string) => {
    const line = lineOf(field ? [listName, index, listName.slice(0, -1), field] : [listName, index]);
    return line ? `line ${line}, ` : '';
  };

  const contextName = options.context ?? config['current-context'];
  const contextNames = (config.contexts ?? []).map((c) => c.name).filter((n): n is string => Boolean(n));
  if (!contextName) {
    fail(
      `has no current-context: set auth.context to one of ${contextNames.map((n) => `"${n}"`).join(', ') || '(none defined)'}`,
    );
  }
  const contextIndex = (config.contexts ?? []).findIndex((c) => c.name === contextName);
  const context = config.contexts?.[contextIndex]?.context;
  if (!context) {
    fail(
      `has no context "${contextName}"${options.context ? ' (auth.context)' : ' (its current-context)'}: ` +
        `known contexts: ${contextNames.map((n) => `"${n}"`).join(', ') || '(none)'}`,
    );
  }
  const ctx = context as NonNullable<typeof context>;
  const clusterIndex = (config.clusters ?? []).findIndex((c) => c.name === ctx.cluster);
  const cluster = config.clusters?.[clusterIndex]?.cluster;
  if (!cluster) fail(`context "${contextName}" names cluster "${ctx.cluster}", which is not in clusters`);
  const c = cluster as KubeconfigCluster;
  if (!c.server) fail(`${at('clusters', clusterIndex)}cluster "${ctx.cluster}" has no server`);
  if (c['proxy-url']) fail(`${at('clusters', clusterIndex, 'proxy-url')}proxy-url is not supported`);

  const base = dirname(path);
  const fileOf = (file: string) => (isAbsolute(file) ? file : join(base, file));
  const readReferenced = (file: string, where: string, field: string) => {
    try {
      return readFileSync(fileOf(file), 'utf8');
    } catch (error) {
      return fail(`${where}${field} "${fileOf(file)}" cannot be read (${messageOf(error)})`);
    }
  };
  const decode = (data: string, where: string, field: string) => {
    const decoded = Buffer.from(data, 'base64').toString('utf8');
    if (!decoded.includes('-----BEGIN ')) fail(`${where}${field} is not base64-encoded PEM`);
    return decoded;
  };

  const connection: KubeConnection = {
    server: c.server as string,
    authType: 'kubeconfig',
  };
  const clusterAt = (field: string) => `${at('clusters', clusterIndex, field)}cluster "${ctx.cluster}": `;
  if (c['certificate-authority-data']) {
    connection.ca = decode(
      c['certificate-authority-data'],
      clusterAt('certificate-authority-data'),
      'certificate-authority-data',
    );
  } else if (c['certificate-authority']) {
    connection.ca = readReferenced(
      c['certificate-authority'],
      clusterAt('certificate-authority'),
      'certificate-authority',
    );
  }
  if (c['insecure-skip-tls-verify']) connection.insecureSkipTlsVerify = true;
  if (c['tls-server-name']) connection.serverName = c['tls-server-name'];

  if (!ctx.user) return connection;
  const userIndex = (config.users ?? []).findIndex((u) => u.name === ctx.user);
  const user = config.users?.[userIndex]?.user;
  if (!user) fail(`context "${contextName}" names user "${ctx.user}", which is not in users`);
  const u = user as KubeconfigUser;
  const userAt = (field: string) => `${at('users', userIndex, field)}user "${ctx.user}": `;

  if (u['auth-provider'] !== undefined) {
    fail(
      `${userAt('auth-provider')}auth-provider plugins are not supported (kubectl removed them): use an exec plugin`,
    );
  }
  if (u.username !== undefined || u.password !== undefined) {
    fail(
      `${userAt('username')}basic authentication is not supported: use a token, a client certificate or an exec plugin`,
    );
  }
  if (u['client-certificate-data'] || u['client-certificate']) {
    connection.clientCertificate = u['client-certificate-data']
      ? decode(u['client-certificate-data'], userAt('client-certificate-data'), 'client-certificate-data')
      : readReferenced(u['client-certificate'] as string, userAt('client-certificate'), 'client-certificate');
    if (!u['client-key-data'] && !u['client-key']) {
      fail(`${userAt('client-certificate')}has a client certificate but no client-key or client-key-data`);
    }
  }
  if (u['client-key-data'] || u['client-key']) {
    connection.clientKey = u['client-key-data']
      ? decode(u['client-key-data'], userAt('client-key-data'), 'client-key-data')
      : readReferenced(u['client-key'] as string, userAt('client-key'), 'client-key');
    if (!connection.clientCertificate) fail(`${userAt('client-key')}has a client key but no client certificate`);
  }
  if (u.token) connection.token = u.token;
  else if (u.tokenFile) {
    const tokenFile = fileOf(u.tokenFile);
    connection.tokenSource = new FileTokenSource(tokenFile, `kubeconfig "${path}" user "${ctx.user}" tokenFile`);
  } else if (u.exec) {
    if (!u.exec.command) fail(`${userAt('exec')}exec has no command`);
    const exec = { ...u.exec };
    // A command given as a relative path (with a slash) is relative to the kubeconfig, as in kubectl.
    if (exec.command.includes('/') && !isAbsolute(exec.command)) exec.command = join(base, exec.command);
    try {
      connection.tokenSource = new ExecTokenSource(
        exec,
        `kubeconfig "${path}" ${at('users', userIndex, 'exec')}user "${ctx.user}"`,
        limits,
        {
          server: c.server,
          ...(c['tls-server-name'] ? { 'tls-server-name': c['tls-server-name'] } : {}),
          ...(c['insecure-skip-tls-verify'] ? { 'insecure-skip-tls-verify': true } : {}),
          ...(connection.ca ? { 'certificate-authority-data': Buffer.from(connection.ca).toString('base64') } : {}),
        },
      );
    } catch (error) {
      throw error instanceof AdapterError ? error : fail(messageOf(error));
    }
  }
  return connection;
}

/**
 * A token read from a file, re-read once a minute and after a 401 (the kubelet rotates projected
 * service-account tokens in place; kubeconfig `tokenFile`s are rotated the same way).
 */
export class FileTokenSource {
  private cached: { token: string; readAt: number } | undefined;
  private readonly file: string;
  private readonly what: string;
  private readonly now: () => number;
  constructor(file: string, what: string, now: () => number = Date.now) {
    this.file = file;
    this.what = what;
    this.now = now;
  }

  async token(): Promise<string> {
    const now = this.now();
    if (!this.cached || now - this.cached.readAt >= 60_000) {
      let token: string;
      try {
        token = readFileSync(this.file, 'utf8').trim();
      } catch (error) {
        throw new AdapterError(`${this.what} "${this.file}" cannot be read: ${messageOf(error)}`, { cause: error });
      }
      if (!token) throw new AdapterError(`${this.what} "${this.file}" is empty`);
      this.cached = { token, readAt: now };
    }
    return this.cached.token;
  }

  invalidate(): void {
    this.cached = undefined;
  }
}
