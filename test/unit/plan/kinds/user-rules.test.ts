import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../lib/config/load-config.ts';
import { ConfigError } from '../../../../lib/errors.ts';
import { keys } from '../../../../lib/model/keys.ts';
import { desiredUserSpec, UserSpecSchema } from '../../../../lib/model/kinds/user.ts';
import type { InventoryEntry, ObservedResource } from '../../../../lib/model/resource.ts';
import { canonicalJson } from '../../../../lib/plan/canonical-json.ts';
import { userRules } from '../../../../lib/plan/kinds/user.ts';
import { configDir, ENVIRONMENT_YAML } from '../../../support/builders.ts';

const ref = (name: string) => ({ secretRef: { provider: 'env' as const, name } });
const key = keys.user('app');

function desired(spec: unknown) {
  return { key, kind: 'User' as const, name: 'app', spec: desiredUserSpec(UserSpecSchema.parse(spec)) };
}
function live(mechanisms: Record<string, number>): ObservedResource {
  return { key, kind: 'User', name: 'app', spec: { mechanisms } };
}
function diff(spec: unknown, mechanisms: Record<string, number>, inventory?: InventoryEntry) {
  return (userRules.diff ?? (() => []))({ desired: desired(spec), live: live(mechanisms), inventory });
}

describe('UserSpecSchema', () => {
  it('reads the single-credential form and the scram list as the same user', () => {
    // Act
    const single = UserSpecSchema.parse({ mechanism: 'SCRAM-SHA-512', password: ref('P'), iterations: 4096 });
    const list = UserSpecSchema.parse({
      scram: [{ mechanism: 'SCRAM-SHA-512', password: ref('P'), iterations: 4096 }],
    });
    const defaults = UserSpecSchema.parse({ password: ref('P') });

    // Assess
    expect(single).toEqual(list);
    expect(defaults).toEqual({ scram: [{ mechanism: 'SCRAM-SHA-512', password: ref('P'), iterations: 8192 }] });
  });

  it('lists several mechanisms in a fixed order', () => {
    const spec = UserSpecSchema.parse({
      scram: [
        { mechanism: 'SCRAM-SHA-512', password: ref('B') },
        { mechanism: 'SCRAM-SHA-256', password: ref('A'), iterations: 4096 },
      ],
    });
    expect(desiredUserSpec(spec)).toEqual({
      credentials: {
        'SCRAM-SHA-256': { iterations: 4096, password: ref('A') },
        'SCRAM-SHA-512': { iterations: 8192, password: ref('B') },
      },
    });
  });

  it('reports a mechanism listed twice, a mix of both forms and a missing password at file:line with the field', async () => {
    // Prepare
    const dir = await configDir({
      'env.yaml': ENVIRONMENT_YAML,
      'users.yaml': `apiVersion: landscape.dev/v1
kind: User
metadata: { name: twice }
spec:
  scram:
    - { mechanism: SCRAM-SHA-512, password: { secretRef: { provider: env, name: A } } }
    - { mechanism: SCRAM-SHA-512, password: { secretRef: { provider: env, name: B } } }
---
apiVersion: landscape.dev/v1
kind: User
metadata: { name: mixed }
spec:
  mechanism: SCRAM-SHA-256
  scram: [{ mechanism: SCRAM-SHA-512, password: { secretRef: { provider: env, name: A } } }]
---
apiVersion: landscape.dev/v1
kind: User
metadata: { name: none }
spec: { iterations: 4096 }
`,
    });

    // Act
    const error = await loadConfig(dir, 'test').catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((p) => `${p.line}:${p.field}: ${p.message}`);
    expect(problems).toEqual([
      '7:spec.scram.1.mechanism: SCRAM-SHA-512 is listed twice: a user has one credential per mechanism',
      '13:spec.mechanism: "mechanism" goes inside each entry of "scram" when "scram" lists the credentials',
      '19:spec.password: is required (a secret reference), or list the credentials under "scram"',
    ]);
  });
});

describe('userRules.diff: a managed user has exactly the declared credentials', () => {
  it('reports a mechanism added out of band as a credential to delete', () => {
    // Act
    const fields = diff({ password: ref('P') }, { 'SCRAM-SHA-256': 4096, 'SCRAM-SHA-512': 8192 });

    // Assess
    expect(fields).toEqual([
      {
        path: 'credentials.SCRAM-SHA-256.iterations',
        before: 4096,
        note: 'SCRAM-SHA-256 is not declared in git: this credential is deleted (clients logging in with it are refused)',
      },
    ]);
  });

  it('plans a declared mechanism missing live, and nothing for a user that matches', () => {
    const both = {
      scram: [
        { mechanism: 'SCRAM-SHA-256', password: ref('P') },
        { mechanism: 'SCRAM-SHA-512', password: ref('P') },
      ],
    };
    expect(diff(both, { 'SCRAM-SHA-512': 8192 })).toEqual([
      { path: 'credentials.SCRAM-SHA-256.iterations', after: 8192 },
      { path: 'credentials.SCRAM-SHA-256.password', after: 'set from secret env/P', secret: true },
    ]);
    expect(diff(both, { 'SCRAM-SHA-256': 8192, 'SCRAM-SHA-512': 8192 })).toEqual([]);
  });

  it('tells a changed password per mechanism, reading what older versions recorded too', () => {
    // Prepare: an inventory written before users had several mechanisms holds one bare reference.
    const legacy: InventoryEntry = { key, kind: 'User', secretDigest: canonicalJson(ref('OLD')) };
    const both = {
      scram: [
        { mechanism: 'SCRAM-SHA-256', password: ref('NEW') },
        { mechanism: 'SCRAM-SHA-512', password: ref('OLD') },
      ],
    };
    const recorded = userRules.secretDigest?.(desired(both));

    // Act
    const fromLegacy = diff(both, { 'SCRAM-SHA-256': 8192, 'SCRAM-SHA-512': 8192 }, legacy);
    const fromRecorded = diff(
      both,
      { 'SCRAM-SHA-256': 8192, 'SCRAM-SHA-512': 8192 },
      {
        key,
        kind: 'User',
        ...(recorded ? { secretDigest: recorded } : {}),
      },
    );

    // Assess
    expect(fromLegacy).toEqual([
      {
        path: 'credentials.SCRAM-SHA-256.password',
        before: 'set',
        after: 'changed (secret env/NEW)',
        secret: true,
      },
    ]);
    expect(fromRecorded).toEqual([]);
    // One credential keeps the recorded form older versions wrote, so upgrading changes no password.
    expect(userRules.secretDigest?.(desired({ password: ref('OLD') }))).toBe(legacy.secretDigest);
  });
});

describe('userRules.exportSpec', () => {
  it('exports every mechanism of a user', () => {
    expect(userRules.exportSpec?.(live({ 'SCRAM-SHA-256': 4096, 'SCRAM-SHA-512': 8192 }))).toEqual({
      scram: [
        { mechanism: 'SCRAM-SHA-256', password: ref('APP_PASSWORD'), iterations: 4096 },
        { mechanism: 'SCRAM-SHA-512', password: ref('APP_PASSWORD'), iterations: 8192 },
      ],
    });
    expect(userRules.exportSpec?.(live({ 'SCRAM-SHA-512': 4096 }))).toEqual({
      mechanism: 'SCRAM-SHA-512',
      password: ref('APP_PASSWORD'),
      iterations: 4096,
    });
  });

  it('exports the secret references last applied, so the export re-plans to no password change', () => {
    // Prepare
    const applied = desired({
      scram: [
        { mechanism: 'SCRAM-SHA-256', password: ref('APP_256') },
        { mechanism: 'SCRAM-SHA-512', password: ref('APP_512') },
      ],
    });
    const secretDigest = userRules.secretDigest?.(applied) as string;
    const inventory: InventoryEntry = { key, kind: 'User', secretDigest };
    const mechanisms = { 'SCRAM-SHA-256': 8192, 'SCRAM-SHA-512': 8192 };

    // Act
    const exported = userRules.exportSpec?.(live(mechanisms), inventory);

    // Assess
    expect(diff(exported, mechanisms, inventory)).toEqual([]);
  });
});
