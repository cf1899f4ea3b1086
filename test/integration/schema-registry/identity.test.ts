import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSchemaRegistryProvider } from '../../../lib/adapters/schema-registry/schema-registry-provider.ts';
import { LocalSecretResolver } from '../../../lib/adapters/secrets/env-secret-resolver.ts';
import { applyPlan } from '../../../lib/engine/apply-plan.ts';
import { sha256Hex } from '../../../lib/engine/hash.ts';
import { keys } from '../../../lib/model/keys.ts';
import { computePlan } from '../../../lib/plan/compute-plan.ts';
import type { ResourceProvider } from '../../../lib/ports/resource-provider.ts';
import { testEnvironment } from '../../support/builders.ts';
import { deleteSubjects, REGISTRY_URL, registryRequest as raw } from '../../support/schema-registry.ts';
import { uniqueName } from '../../support/unique-name.ts';

const prefix = `${uniqueName('it-sr-id')}-`;
const secrets = new LocalSecretResolver({ env: {} });
const spec = testEnvironment({ schemaRegistry: { url: REGISTRY_URL }, prune: { Schema: true } }).spec;

let registry: ResourceProvider;

beforeAll(async () => {
  registry = await createSchemaRegistryProvider('it', spec, secrets);
});

afterAll(async () => {
  await deleteSubjects(prefix);
  await registry.close();
});

const register = (subject: string, schema: string) =>
  raw<{ id: number }>('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema });
const latest = (subject: string) =>
  raw<{ version: number; id: number }>('GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`);

describe('schema registry identity in plans', () => {
  it("observes a subject's latest version and id as its identity", async () => {
    const subject = `${prefix}observed-value`;
    await register(subject, '"string"');
    const { version, id } = await latest(subject);
    const [observed] = await registry.observeKeys([keys.subject(subject)]);
    expect(observed?.identity).toBe(`version ${version}, id ${id}`);
  });

  it('refuses a plan whose subject was deleted and registered again since planning, naming both identities', async () => {
    // Prepare: a Landscape subject with two versions, gone from git: the plan deletes it.
    const subject = `${prefix}recreated-value`;
    await register(subject, '"string"');
    await register(subject, '"long"');
    const before = await latest(subject);
    const plan = computePlan({
      environment: { name: 'it', spec },
      desired: [],
      observed: await registry.observeKeys([keys.subject(subject)]),
      inventory: { [keys.subject(subject)]: { key: keys.subject(subject), kind: 'Schema' } },
      observedKinds: ['Schema'],
      source: {},
      toolVersion: 'test',
      hash: sha256Hex,
    });
    expect(plan.changes.map((c) => c.action)).toEqual(['Delete']);
    // Someone deletes the subject for good and registers its latest schema again: version 1 now.
    await raw('DELETE', `/subjects/${encodeURIComponent(subject)}`);
    await raw('DELETE', `/subjects/${encodeURIComponent(subject)}?permanent=true`);
    await register(subject, '"long"');
    const after = await latest(subject);

    // Act
    const { report } = await applyPlan({ plan, providers: [registry], inventory: {}, secrets, now: () => new Date() });

    // Assess
    expect(report.outcome).toBe('Refused');
    expect(report.refusal?.message).toContain(
      `deleted and re-created since planning (latest version ${before.version}, id ${before.id} -> version ${after.version}, id ${after.id})`,
    );
    expect((await latest(subject)).version).toBe(after.version);
  });
});
