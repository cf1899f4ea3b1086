import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../lib/config/load-config.ts';
import { formatProblem } from '../../../lib/errors.ts';
import { pemProblem } from '../../../lib/model/connections/pem.ts';
import { configDir, ENVIRONMENT_YAML } from '../../support/builders.ts';

const CERT = `-----BEGIN CERTIFICATE-----
MIIBszCCAVmgAwIBAgIUXk1n0aQ2c3bC8cF3Yk1u0C7qkRkwCgYIKoZIzj0EAwIw
-----END CERTIFICATE-----`;

async function problemsOf(kubernetes: string): Promise<string[]> {
  const dir = await configDir({ 'env.yaml': `${ENVIRONMENT_YAML}  kubernetes:\n${kubernetes}` });
  return (await validateConfig(dir)).map((p) => formatProblem(p).replaceAll(`${dir}/`, ''));
}

const indent = (text: string, by: number) =>
  text
    .split('\n')
    .map((l) => `${' '.repeat(by)}${l}`)
    .join('\n');

describe('spec.kubernetes authentication', () => {
  it('accepts each auth type, with server and CA only where auth does not supply them', async () => {
    expect(await problemsOf('    auth: { type: eks, clusterName: prod, region: eu-west-1 }\n')).toEqual([]);
    expect(await problemsOf('    auth: { type: kubeconfig, context: dev }\n')).toEqual([]);
    expect(await problemsOf('    auth: { type: in-cluster }\n')).toEqual([]);
    expect(
      await problemsOf(
        `    server: https://k8s.example:6443\n    clientCertificate: |\n${indent(CERT, 6)}\n    clientKey: { secretRef: { provider: env, name: K } }\n`,
      ),
    ).toEqual([]);
  });

  it('requires server unless auth supplies it, at the line of the connection', async () => {
    expect(await problemsOf('    namespace: apps\n')).toEqual([
      'env.yaml:9:5: Environment "test" spec.kubernetes.server: is required (expected a URL such as "https://api.example:6443"), unless auth supplies it: auth: { type: kubeconfig }, { type: in-cluster } or { type: eks, clusterName }',
    ]);
  });

  it('refuses a token next to auth, naming the field and line', async () => {
    expect(
      await problemsOf(
        '    auth: { type: eks, clusterName: prod }\n    token: { secretRef: { provider: env, name: T } }\n',
      ),
    ).toEqual([
      'env.yaml:10:12: Environment "test" spec.kubernetes.token: cannot be combined with auth (type eks), which supplies the credentials: remove one',
    ]);
  });

  it('refuses a client certificate without its key, and a key without its certificate', async () => {
    const certOnly = await problemsOf(
      `    server: https://k8s.example:6443\n    clientCertificate: |\n${indent(CERT, 6)}\n`,
    );
    const keyOnly = await problemsOf(
      '    server: https://k8s.example:6443\n    clientKey: { secretRef: { provider: env, name: K } }\n',
    );

    expect(certOnly).toEqual([
      'env.yaml:9:5: Environment "test" spec.kubernetes.clientKey: is required with clientCertificate (a secret reference to the PEM private key)',
    ]);
    expect(keyOnly).toEqual([
      'env.yaml:9:5: Environment "test" spec.kubernetes.clientCertificate: is required with clientKey (PEM text, or a secret reference to it)',
    ]);
  });

  it('names the field, the config line and the line inside the PEM of a malformed certificate', async () => {
    const broken = CERT.replace('MIIBszCC', 'MIIB szCC');
    const problems = await problemsOf(`    server: https://k8s.example:6443\n    ca: |\n${indent(broken, 6)}\n`);

    expect(problems).toEqual([
      'env.yaml:10:9: Environment "test" spec.kubernetes.ca: is not a PEM certificate: line 2 of the PEM text: not base64 inside the CERTIFICATE block (paste the whole file, BEGIN/END lines included)',
    ]);
  });

  it('refuses an unknown auth type with the allowed ones', async () => {
    const problems = await problemsOf('    auth: { type: gke }\n');

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^env\.yaml:9:19: Environment "test" spec\.kubernetes\.auth\.type: .*'eks' \| 'kubeconfig' \| 'in-cluster', got "gke"/,
    );
  });
});

describe('pemProblem', () => {
  it('accepts a certificate chain and refuses what people paste by mistake', () => {
    expect(pemProblem(`${CERT}\n${CERT}\n`, ['CERTIFICATE'])).toBeUndefined();
    expect(pemProblem('MIIBszCC', ['CERTIFICATE'])).toBe('no "-----BEGIN CERTIFICATE-----" block found');
    expect(pemProblem(CERT.replace('-----END CERTIFICATE-----', ''), ['CERTIFICATE'])).toBe(
      'the CERTIFICATE block starting at line 1 of the PEM text has no END line',
    );
    expect(pemProblem(CERT.replaceAll('CERTIFICATE', 'PRIVATE KEY'), ['CERTIFICATE'])).toBe(
      'line 1 of the PEM text: found a "PRIVATE KEY" block, expected "CERTIFICATE"',
    );
    expect(pemProblem(CERT.replace('END CERTIFICATE', 'END PUBLIC KEY'), ['CERTIFICATE'])).toBe(
      'line 3 of the PEM text: END PUBLIC KEY closes a CERTIFICATE block',
    );
    expect(pemProblem(CERT.replace('EAwIw', 'EAwI'), ['CERTIFICATE'])).toBe(
      'the CERTIFICATE block starting at line 1 of the PEM text is not valid base64',
    );
  });
});
