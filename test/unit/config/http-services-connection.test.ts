import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../lib/config/load-config.ts';
import { formatProblem } from '../../../lib/errors.ts';
import { configDir, ENVIRONMENT_YAML } from '../../support/builders.ts';

async function problemsOf(services: string): Promise<string[]> {
  const dir = await configDir({ 'env.yaml': `${ENVIRONMENT_YAML}${services}` });
  return (await validateConfig(dir)).map((p) => formatProblem(p).replaceAll(`${dir}/`, ''));
}

const OAUTH =
  'oauth: { tokenEndpoint: "https://idp.example/token", clientId: landscape, clientSecret: { secretRef: { provider: env, name: S } } }';

describe('schema registry and Connect authentication', () => {
  it('accepts OAuth client credentials with mutual TLS on both', async () => {
    const tls =
      'tls: { clientCertificate: { secretRef: { provider: env, name: C } }, clientKey: { secretRef: { provider: env, name: K } } }';
    expect(
      await problemsOf(
        `  schemaRegistry: { url: "https://registry.example", ${OAUTH}, ${tls} }\n  connect: { main: { url: "https://connect.example", ${OAUTH}, ${tls} } }\n`,
      ),
    ).toEqual([]);
  });

  it('refuses oauth next to a static token or Basic credentials, naming the field and line', async () => {
    expect(
      await problemsOf(
        `  schemaRegistry:\n    url: "https://registry.example"\n    token: { secretRef: { provider: env, name: T } }\n    ${OAUTH}\n`,
      ),
    ).toEqual([
      'env.yaml:10:12: Environment "test" spec.schemaRegistry.token: cannot be combined with oauth, which supplies the bearer token: remove one',
    ]);
  });

  it('refuses TLS options on plain HTTP and a client key without its certificate', async () => {
    expect(
      await problemsOf(
        '  connect:\n    main:\n      url: "http://connect.example:8083"\n      tls: { clientKey: { secretRef: { provider: env, name: K } } }\n',
      ),
    ).toEqual([
      'env.yaml:11:12: Environment "test" spec.connect.main.tls: needs an https:// url (url is "http://connect.example:8083"): TLS options do nothing over plain HTTP',
      'env.yaml:11:12: Environment "test" spec.connect.main.tls.clientCertificate: is required with clientKey (PEM text, or a secret reference to it)',
    ]);
  });

  it('names the line inside a malformed inline CA', async () => {
    const problems = await problemsOf(
      '  schemaRegistry:\n    url: "https://registry.example"\n    tls:\n      ca: |\n        -----BEGIN CERTIFICATE-----\n        MIIB#x\n        -----END CERTIFICATE-----\n',
    );

    expect(problems).toEqual([
      'env.yaml:11:11: Environment "test" spec.schemaRegistry.tls.ca: is not a PEM certificate: line 2 of the PEM text: not base64 inside the CERTIFICATE block (paste the whole file, BEGIN/END lines included)',
    ]);
  });
});
