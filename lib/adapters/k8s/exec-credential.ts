import { spawn } from 'node:child_process';
import { AdapterError } from '../../errors.ts';
import type { BearerTokenSource } from './kube-client.ts';

/** A kubeconfig user's `exec` section (client.authentication.k8s.io/v1 and v1beta1). */
export interface ExecConfig {
  apiVersion: string;
  command: string;
  args?: string[];
  env?: { name: string; value: string }[];
  interactiveMode?: 'Never' | 'IfAvailable' | 'Always';
  installHint?: string;
  provideClusterInfo?: boolean;
}

export const EXEC_API_VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'];

export interface ExecLimits {
  /** The plugin is killed after this long. Default 60 s (a browser-less SSO refresh takes seconds). */
  timeoutMs?: number;
  /** Output beyond this many bytes kills the plugin. Default 1 MiB. */
  maxOutputBytes?: number;
  now?: () => Date;
}

/** Renewed this long before `expirationTimestamp`, so a token does not expire between check and use. */
const EXPIRY_MARGIN_MS = 30_000;

/**
 * Runs a kubeconfig exec credential plugin (`aws eks get-token`, `gke-gcloud-auth-plugin`, `kubelogin`, ...)
 * and caches its token until the ExecCredential's `expirationTimestamp` (without one: until the API server
 * answers 401). Landscape never runs interactively, so it tells the plugin `interactive: false` and refuses a
 * plugin that demands a terminal (`interactiveMode: Always`). The plugin runs with a time and output bound.
 * Errors name the kubeconfig and the command, never what the plugin printed on stdout (that holds the token).
 */
export class ExecTokenSource implements BearerTokenSource {
  private current: { token: Promise<string>; expiresAt: number | undefined } | undefined;
  private readonly exec: ExecConfig;
  private readonly where: string;
  private readonly limits: ExecLimits;
  private readonly cluster: Record<string, unknown> | undefined;

  /** `where` names the kubeconfig and user for errors; `cluster` is passed when `provideClusterInfo` is set. */
  constructor(exec: ExecConfig, where: string, limits: ExecLimits = {}, cluster?: Record<string, unknown>) {
    if (!EXEC_API_VERSIONS.includes(exec.apiVersion)) {
      throw new AdapterError(
        `${where}: exec plugin apiVersion "${exec.apiVersion}" is not supported (use ${EXEC_API_VERSIONS.join(' or ')})`,
      );
    }
    if (exec.interactiveMode === 'Always') {
      throw new AdapterError(
        `${where}: the exec plugin "${exec.command}" needs an interactive terminal (interactiveMode: Always), and ` +
          'Landscape never runs interactively: log in first, or use a plugin mode that does not prompt',
      );
    }
    this.exec = exec;
    this.where = where;
    this.limits = limits;
    this.cluster = cluster;
  }

  token(): Promise<string> {
    const now = (this.limits.now?.() ?? new Date()).getTime();
    if (!this.current || (this.current.expiresAt !== undefined && now >= this.current.expiresAt - EXPIRY_MARGIN_MS)) {
      const entry: { token: Promise<string>; expiresAt: number | undefined } = {
        token: this.run().then(({ token, expiresAt }) => {
          entry.expiresAt = expiresAt;
          return token;
        }),
        expiresAt: undefined,
      };
      entry.token.catch(() => {
        if (this.current === entry) this.current = undefined;
      });
      this.current = entry;
    }
    return this.current.token;
  }

  invalidate(): void {
    this.current = undefined;
  }

  private run(): Promise<{ token: string; expiresAt: number | undefined }> {
    const { command, args = [], env = [] } = this.exec;
    const timeoutMs = this.limits.timeoutMs ?? 60_000;
    const maxBytes = this.limits.maxOutputBytes ?? 1024 * 1024;
    const execInfo = {
      apiVersion: this.exec.apiVersion,
      kind: 'ExecCredential',
      spec: { interactive: false, ...(this.exec.provideClusterInfo && this.cluster ? { cluster: this.cluster } : {}) },
    };
    const what = `${this.where}: exec plugin "${command}"`;
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, {
        env: {
          ...process.env,
          ...Object.fromEntries(env.map((e) => [e.name, e.value])),
          KUBERNETES_EXEC_INFO: JSON.stringify(execInfo),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const stdout: Buffer[] = [];
      let stderr = '';
      let size = 0;
      let failure: string | undefined;
      const stop = (reason: string) => {
        failure ??= reason;
        child.kill('SIGKILL');
      };
      const timer = setTimeout(() => stop(`gave no answer within ${timeoutMs} ms`), timeoutMs);
      child.stdout.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) stop(`printed more than ${maxBytes} bytes`);
        else stdout.push(chunk);
      });
      child.stderr.on('data', (chunk: Buffer) => {
        // Only the end is kept, for the error message: the plugin's own explanation of what went wrong.
        stderr = (stderr + chunk.toString('utf8')).slice(-2000);
      });
      child.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        const hint =
          error.code === 'ENOENT'
            ? ` is not installed or not on PATH${this.exec.installHint ? ` (${this.exec.installHint.trim()})` : ''}`
            : `: ${error.message}`;
        reject(new AdapterError(`${what}${hint}`, { cause: error }));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (failure) return reject(new AdapterError(`${what} ${failure}; it was stopped`));
        if (code !== 0) {
          const said = lastLines(stderr);
          return reject(
            new AdapterError(`${what} failed (exit ${code ?? signal})${said ? `: ${said}` : ''}`, { retryable: false }),
          );
        }
        try {
          resolve(this.parse(Buffer.concat(stdout).toString('utf8')));
        } catch (error) {
          reject(error);
        }
      });
    });
  }

  private parse(text: string): { token: string; expiresAt: number | undefined } {
    const what = `${this.where}: exec plugin "${this.exec.command}"`;
    let credential: {
      apiVersion?: string;
      kind?: string;
      status?: {
        token?: string;
        expirationTimestamp?: string;
        clientCertificateData?: string;
        clientKeyData?: string;
      };
    };
    try {
      credential = JSON.parse(text);
    } catch {
      throw new AdapterError(`${what} did not print an ExecCredential (its output is not JSON)`);
    }
    if (credential?.kind !== 'ExecCredential' || credential.apiVersion !== this.exec.apiVersion) {
      throw new AdapterError(
        `${what} printed kind "${credential?.kind}" apiVersion "${credential?.apiVersion}", expected ExecCredential ` +
          `${this.exec.apiVersion}`,
      );
    }
    const status = credential.status ?? {};
    if (!status.token) {
      throw new AdapterError(
        status.clientCertificateData
          ? `${what} returned a client certificate; Landscape supports tokens from exec plugins, certificates from ` +
              'client-certificate(-data) in the kubeconfig'
          : `${what} returned no token (status.token is empty)`,
      );
    }
    let expiresAt: number | undefined;
    if (status.expirationTimestamp) {
      expiresAt = Date.parse(status.expirationTimestamp);
      if (Number.isNaN(expiresAt)) {
        throw new AdapterError(`${what} printed an expirationTimestamp that is not an RFC 3339 time`);
      }
    }
    return { token: status.token, expiresAt };
  }
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ').slice(-500);
}
