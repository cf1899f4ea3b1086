import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EKS_TOKEN_RENEW_AFTER_MS, EksTokenSource, makeEksToken } from '../../../../lib/adapters/k8s/eks-token.ts';
import { ExecTokenSource } from '../../../../lib/adapters/k8s/exec-credential.ts';
import { KubeClient } from '../../../../lib/adapters/k8s/kube-client.ts';
import { connectionFromKubeconfig, FileTokenSource } from '../../../../lib/adapters/k8s/kubeconfig.ts';

const dir = mkdtempSync(join(tmpdir(), 'landscape-kube-auth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content, { mode: 0o700 });
  return path;
};

const credentials = async () => ({
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
});

/** The SigV4 query signature, recomputed independently (what STS, or the test webhook, checks). */
function expectedSignature(url: URL, clusterName: string, secret: string): string {
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  const enc = (s: string) =>
    encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const query = [...url.searchParams]
    .filter(([k]) => k !== 'X-Amz-Signature')
    .map(([k, v]) => [enc(k), enc(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonical = [
    'GET',
    '/',
    query,
    `host:${url.host}\nx-k8s-aws-id:${clusterName}\n`,
    'host;x-k8s-aws-id',
    sha(''),
  ].join('\n');
  const date = url.searchParams.get('X-Amz-Date') as string;
  const [, day, region] = (url.searchParams.get('X-Amz-Credential') as string).split('/');
  const scope = `${day}/${region}/sts/aws4_request`;
  let key: Buffer = createHmac('sha256', `AWS4${secret}`)
    .update(day as string)
    .digest();
  for (const part of [region as string, 'sts', 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key)
    .update(['AWS4-HMAC-SHA256', date, scope, sha(canonical)].join('\n'))
    .digest('hex');
}

const urlOf = (token: string) => new URL(Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString());

describe('EKS tokens', () => {
  it('is a presigned GetCallerIdentity on the regional STS endpoint, signed over the cluster id header', async () => {
    const now = new Date('2026-01-02T03:04:05Z');
    const token = await makeEksToken({ clusterName: 'prod', region: 'eu-west-1', credentials, now: () => now });
    const url = urlOf(token);

    expect(token).toMatch(/^k8s-aws-v1\.[A-Za-z0-9_-]+$/);
    expect(url.origin).toBe('https://sts.eu-west-1.amazonaws.com');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      Action: 'GetCallerIdentity',
      Version: '2011-06-15',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'AKIDEXAMPLE/20260102/eu-west-1/sts/aws4_request',
      'X-Amz-Date': '20260102T030405Z',
      'X-Amz-Expires': '60',
      'X-Amz-SignedHeaders': 'host;x-k8s-aws-id',
    });
    expect(url.searchParams.get('X-Amz-Signature')).toBe(
      expectedSignature(url, 'prod', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'),
    );
    expect(url.searchParams.get('X-Amz-Signature')).not.toBe(
      expectedSignature(url, 'other', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'),
    );
  });

  it('reuses a token for 10 of its 15 minutes, then signs a new one; a 401 invalidates it', async () => {
    let now = new Date('2026-01-02T03:04:05Z');
    let signings = 0;
    const source = new EksTokenSource({
      clusterName: 'prod',
      region: 'eu-west-1',
      credentials: async () => {
        signings++;
        return credentials();
      },
      now: () => now,
    });

    const first = await source.token();
    now = new Date(now.getTime() + EKS_TOKEN_RENEW_AFTER_MS - 1000);
    const reused = await source.token();
    now = new Date(now.getTime() + 1000);
    const renewed = await source.token();
    source.invalidate();
    await source.token();

    expect(reused).toBe(first);
    expect(urlOf(renewed).searchParams.get('X-Amz-Date')).toBe('20260102T031405Z');
    expect(signings).toBe(3);
  });

  it('names the cluster, region and auth type when there are no credentials, never a secret', async () => {
    const source = new EksTokenSource({
      clusterName: 'prod',
      region: 'eu-west-1',
      credentials: async () => {
        throw new Error('Could not load credentials from any providers');
      },
    });

    await expect(source.token()).rejects.toThrow(
      'signing the EKS token for cluster "prod" (auth: eks, region eu-west-1): no usable AWS credentials: Could not load credentials from any providers',
    );
  });
});

describe('exec credential plugins', () => {
  // A plugin written in node: counts its runs, echoes what it was given, answers as told by its env.
  const plugin = file(
    'plugin.mjs',
    `import { appendFileSync } from 'node:fs';
appendFileSync(process.env.RUNS, 'x');
const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
const mode = process.env.MODE ?? 'ok';
if (mode === 'fail') { process.stdout.write('{"status":{"token":"leaked-token"}}'); console.error('first line\\nlogin expired: run sso login'); process.exit(3); }
if (mode === 'hang') setInterval(() => {}, 1000);
else if (mode === 'flood') process.stdout.write('x'.repeat(2 * 1024 * 1024));
else process.stdout.write(JSON.stringify({ apiVersion: info.apiVersion, kind: 'ExecCredential',
  status: { token: 'tok-' + process.env.RUNS_SEEN + '-' + info.spec.interactive + '-' + (info.spec.cluster?.server ?? ''),
    ...(process.env.EXPIRES ? { expirationTimestamp: process.env.EXPIRES } : {}) } }));
`,
  );
  const exec = (env: Record<string, string>, extra: Record<string, unknown> = {}) => ({
    apiVersion: 'client.authentication.k8s.io/v1',
    command: process.execPath,
    args: [plugin],
    env: Object.entries({ RUNS_SEEN: 'a', ...env }).map(([name, value]) => ({ name, value })),
    interactiveMode: 'Never' as const,
    ...extra,
  });
  const runsFile = (name: string) => file(name, '');

  it('runs the command with its args and env, non-interactively, and caches the token until it expires', async () => {
    const runs = runsFile('runs-1');
    let now = new Date('2026-01-02T03:00:00Z');
    const source = new ExecTokenSource(
      exec({ RUNS: runs, EXPIRES: '2026-01-02T03:10:00Z' }, { provideClusterInfo: true }),
      'kubeconfig "k" user "u"',
      { now: () => now },
      { server: 'https://k8s.example' },
    );

    const first = await source.token();
    now = new Date('2026-01-02T03:09:00Z');
    const cached = await source.token();
    now = new Date('2026-01-02T03:09:31Z');
    await source.token();

    expect(first).toBe('tok-a-false-https://k8s.example');
    expect(cached).toBe(first);
    expect(readFileSync(runs, 'utf8')).toBe('xx');
  });

  it('without an expiry, keeps the token until the API server refuses it', async () => {
    const runs = runsFile('runs-2');
    const source = new ExecTokenSource(exec({ RUNS: runs }), 'kubeconfig "k" user "u"');

    await source.token();
    await source.token();
    source.invalidate();
    await source.token();

    expect(readFileSync(runs, 'utf8')).toBe('xx');
  });

  it('a failing plugin: its exit code and last words, never its stdout', async () => {
    const source = new ExecTokenSource(exec({ RUNS: runsFile('runs-3'), MODE: 'fail' }), 'kubeconfig "k" user "u"');

    const error = await source.token().catch((e: Error) => e);
    expect(String(error)).toContain(
      `kubeconfig "k" user "u": exec plugin "${process.execPath}" failed (exit 3): first line | login expired: run sso login`,
    );
    expect(String(error)).not.toContain('leaked-token');
  });

  it('stops a plugin that never answers, or prints without end', async () => {
    const hang = new ExecTokenSource(exec({ RUNS: runsFile('runs-4'), MODE: 'hang' }), 'kubeconfig "k" user "u"', {
      timeoutMs: 200,
    });
    const flood = new ExecTokenSource(exec({ RUNS: runsFile('runs-5'), MODE: 'flood' }), 'kubeconfig "k" user "u"', {
      maxOutputBytes: 64 * 1024,
    });

    await expect(hang.token()).rejects.toThrow('gave no answer within 200 ms; it was stopped');
    await expect(flood.token()).rejects.toThrow('printed more than 65536 bytes; it was stopped');
  });

  it('refuses plugins that need a terminal, unknown apiVersions, and names a missing command with its hint', async () => {
    expect(() => new ExecTokenSource(exec({}, { interactiveMode: 'Always' }), 'kubeconfig "k" user "u"')).toThrow(
      'needs an interactive terminal (interactiveMode: Always)',
    );
    expect(
      () => new ExecTokenSource(exec({}, { apiVersion: 'client.authentication.k8s.io/v1alpha1' }), 'kubeconfig "k"'),
    ).toThrow('exec plugin apiVersion "client.authentication.k8s.io/v1alpha1" is not supported');
    const missing = new ExecTokenSource(
      exec({}, { command: join(dir, 'no-such-plugin'), installHint: 'install it with: brew install it' }),
      'kubeconfig "k" user "u"',
    );
    await expect(missing.token()).rejects.toThrow(
      `exec plugin "${join(dir, 'no-such-plugin')}" is not installed or not on PATH (install it with: brew install it)`,
    );
  });
});

describe('kubeconfig', () => {
  const CA = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';

  it('reads server, CA data, token file and exec command relative to the kubeconfig, from the named context', () => {
    file('token-file', 'file-token\n');
    const path = file(
      'config-ok',
      `apiVersion: v1
kind: Config
current-context: a
clusters:
- name: c
  cluster: { server: "https://k8s.example:6443", certificate-authority-data: ${Buffer.from(CA).toString('base64')}, tls-server-name: api.internal }
users:
- name: token-user
  user: { tokenFile: token-file }
- name: exec-user
  user: { exec: { apiVersion: client.authentication.k8s.io/v1beta1, command: ./bin/plugin } }
contexts:
- name: a
  context: { cluster: c, user: token-user }
- name: b
  context: { cluster: c, user: exec-user }
`,
    );

    const a = connectionFromKubeconfig({ path });
    const b = connectionFromKubeconfig({ path, context: 'b' });

    expect(a).toMatchObject({
      server: 'https://k8s.example:6443',
      ca: CA,
      serverName: 'api.internal',
      authType: 'kubeconfig',
    });
    expect(a.tokenSource).toBeInstanceOf(FileTokenSource);
    expect(b.tokenSource).toBeInstanceOf(ExecTokenSource);
  });

  it('names the file and what to fix: unreadable, malformed at its line, unknown context', () => {
    const malformed = file('config-bad', 'apiVersion: v1\nclusters:\n  - name: c\n   cluster: {\n');
    const noContext = file(
      'config-ctx',
      'apiVersion: v1\ncurrent-context: x\ncontexts:\n- name: dev\n  context: { cluster: c }\n- name: prod\n  context: { cluster: c }\n',
    );

    expect(() => connectionFromKubeconfig({ path: join(dir, 'missing') })).toThrow(
      `kubeconfig "${join(dir, 'missing')}" (spec.kubernetes.auth): cannot be read (ENOENT: no such file or directory, open '${join(dir, 'missing')}'): set auth.path to the kubeconfig file, or $KUBECONFIG for the default`,
    );
    expect(() => connectionFromKubeconfig({ path: malformed })).toThrow(
      new RegExp(`^kubeconfig "${malformed}" \\(spec.kubernetes.auth\\): line 4: not valid YAML`),
    );
    expect(() => connectionFromKubeconfig({ path: noContext, context: 'staging' })).toThrow(
      `kubeconfig "${noContext}" (spec.kubernetes.auth): has no context "staging" (auth.context): known contexts: "dev", "prod"`,
    );
  });
});

describe('service-account token files', () => {
  it('re-reads the file after a minute or a 401, so a rotated token is picked up', async () => {
    const path = file('sa-token', 'one');
    let now = 0;
    const source = new FileTokenSource(path, 'in-cluster service-account token', () => now);

    const first = await source.token();
    writeFileSync(path, 'two');
    const cached = await source.token();
    now = 60_000;
    const rotated = await source.token();
    writeFileSync(path, 'three');
    source.invalidate();

    expect([first, cached, rotated, await source.token()]).toEqual(['one', 'one', 'two', 'three']);
  });
});

describe('KubeClient with an expiring token', () => {
  it('retries once with a fresh token after a 401, and names server and auth type when refused again', async () => {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.headers.authorization ?? '');
      const ok = req.headers.authorization === 'Bearer fresh';
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify(ok ? { kind: 'Namespace' } : { kind: 'Status', message: 'Unauthorized', code: 401 }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const tokens = ['stale', 'fresh'];
    let index = 0;
    const client = new KubeClient({
      server: origin,
      authType: 'eks',
      tokenSource: { token: async () => tokens[index] as string, invalidate: () => void index++ },
    });
    try {
      await client.request('GET', '/api/v1/namespaces/a');
      index = 5; // no token that works any more
      const error = await client.request('GET', '/api/v1/namespaces/b').catch((e: Error) => e);

      expect(seen.slice(0, 2)).toEqual(['Bearer stale', 'Bearer fresh']);
      expect(String(error)).toContain(
        `GET /api/v1/namespaces/b: the Kubernetes API server ${origin} refused the credentials (auth: eks): Unauthorized`,
      );
      expect(seen).toHaveLength(4);
    } finally {
      client.close();
      server.close();
    }
  });
});
