import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { configDir } from '../support/builders.ts';
import { SUITE_SECRETS } from '../support/scan/suite-secrets.ts';

const run = promisify(execFile);

const TEST_ROOT = join(import.meta.dirname, '..');

function testSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testSources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

// A literal assigned to a name that says it is a credential: `const SECRET = '…'`, `{ password: '…' }`, `token: '…'`.
const CREDENTIAL_LITERAL =
  /\b(\w*(?:secret|password|token|routing_?key|pd_key|hmac)\w*)['"]?\s*[:=]\s*'([^'\n\s]{6,})'/gi;

/** Literals that sit under credential-like names but are not secrets the suite feeds to Landscape. */
const NOT_SECRETS = new Set([
  '(redacted)', // what a redacted Kubernetes Secret shows
  'changeit', // a connector config example in a schema test, never resolved
  'c2VjcmV0', // base64 of the word "secret" in a Kubernetes Secret fixture: any base64 of that word contains it
  'sha256:abc', // a digest in an inventory fixture
  'hunter2-very-secret', // assertNoSecrets' own self-test, in memory only
  'hunter2-not-json', // a Secrets Manager value that must fail to parse as JSON
  'https://hooks.example/T0/B0/xyz', // a plain-text Secrets Manager value in the resolver test
  '{"password":"one"}', // key-picking fixtures whose values are too short to scan for
  '{"password":"two"}',
  'https://idp.example/token', // OAuth token endpoint URLs (named tokenEndpoint), not credentials
  'http://127.0.0.1:1/token',
  'Bearer', // OAuth token_type values
  'bearer',
  'platform/', // a secretsPrefix (names where secrets live), not a secret
  'hunter2', // a plain password the JSON Schema must refuse (passwords are secret references), never resolved
]);

describe('the suite-wide secret scan', () => {
  it('knows every secret literal the tests use (add new ones to test/support/scan/suite-secrets.ts)', () => {
    const known = new Set(Object.values(SUITE_SECRETS));
    const missing: string[] = [];
    for (const file of testSources(TEST_ROOT)) {
      if (file.endsWith('suite-secrets.ts')) continue;
      for (const match of readFileSync(file, 'utf8').matchAll(CREDENTIAL_LITERAL)) {
        const [, name, value] = match as unknown as [string, string, string];
        // ARNs name roles and secrets (SECRETS_READER_ROLE_ARN), they are not credentials.
        if (/^[A-Z][A-Z0-9_]*$/.test(value) || value.startsWith('arn:') || NOT_SECRETS.has(value) || known.has(value))
          continue;
        missing.push(`${relative(TEST_ROOT, file)}: ${name} = '${value}'`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('scan-suite.ts', () => {
  const scan = async (files: Record<string, string>) => {
    // Under secret-sources/: the suite-wide scan of this very run must not find the planted leak.
    const root = join(
      await configDir(Object.fromEntries(Object.entries(files).map(([k, v]) => [`secret-sources/run/${k}`, v]))),
      'secret-sources/run',
    );
    try {
      const { stdout } = await run(process.execPath, [join(TEST_ROOT, 'support/scan/scan-suite.ts'), root]);
      return { code: 0, stdout };
    } catch (error) {
      const e = error as { code: number; stdout: string };
      return { code: e.code, stdout: e.stdout };
    }
  };
  const planted = SUITE_SECRETS.E2E_AUDIT_SECRET as string;

  it('passes a clean run and says what it searched', async () => {
    const result = await scan({
      'output-1.log': 'planning environment "prod"\n',
      'records-1.jsonl': `${JSON.stringify({ what: 'FileStateStore.appendAudit', text: '{"outcome":"Succeeded"}' })}\n`,
      'tmp/state/plan.json': '{"changes":[]}',
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /searched \d+ secret values in 2 output lines of 1 processes, 1 stored records and reports, 1 files/,
    );
  });

  it('fails on a value in any form anywhere, naming the secret and the place but not the value', async () => {
    const registered = 'generated-at-run-time-77aa';
    const result = await scan({
      'output-7.log': `error: ${Buffer.from(planted).toString('base64')}\n`,
      'records-7.jsonl': `${JSON.stringify({ what: 'InMemoryStateStore.savePlan', text: JSON.stringify({ note: registered }) })}\n`,
      'registered-secrets.jsonl': `${JSON.stringify({ name: 'APP_PASSWORD', value: registered })}\n`,
      'tmp/state/audit.jsonl': `{"message":"${encodeURIComponent(planted)}"}`,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('E2E_AUDIT_SECRET appears in output of process 7 (encoded)');
    expect(result.stdout).toContain('APP_PASSWORD (registered) appears in InMemoryStateStore.savePlan');
    expect(result.stdout).toContain('E2E_AUDIT_SECRET appears in file tmp/state/audit.jsonl');
    expect(result.stdout).not.toContain(planted);
    expect(result.stdout).not.toContain(registered);
  });
});
