import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSchemaRegistryProvider } from '../../../lib/adapters/schema-registry/schema-registry-provider.ts';
import { LocalSecretResolver } from '../../../lib/adapters/secrets/env-secret-resolver.ts';
import { loadConfig } from '../../../lib/config/load-config.ts';
import { applyPlan } from '../../../lib/engine/apply-plan.ts';
import { planEnvironment } from '../../../lib/engine/plan-environment.ts';
import type { Inventory } from '../../../lib/model/resource.ts';
import { configDir, environmentYaml } from '../../support/builders.ts';
import { deleteSubjects, REGISTRY_URL } from '../../support/schema-registry.ts';
import { uniqueName } from '../../support/unique-name.ts';

const subject = `${uniqueName('it-sr-pipe')}-value`;
const secrets = new LocalSecretResolver({ env: {} });

const ENVIRONMENT = environmentYaml({
  name: 'test',
  extra: [
    `  schemaRegistry: { url: "${REGISTRY_URL}" }`,
    '  prune: { Schema: true }',
    '  hardDeleteSchemas: true',
  ].join('\n'),
});
const SCHEMA_DOC = `apiVersion: landscape.dev/v1
kind: Schema
metadata: { name: ${subject} }
spec:
  file: ../avro/order.avsc
  compatibility: BACKWARD
`;
const avro = (fields: object[]) =>
  JSON.stringify(
    { type: 'record', name: 'Order', namespace: 'shop', fields: [{ name: 'id', type: 'string' }, ...fields] },
    null,
    2,
  );

afterAll(async () => {
  await deleteSubjects(subject);
});

describe('a Schema document through plan and apply', () => {
  it('registers, stays unchanged, refuses an incompatible version with the reason, evolves, and prunes', async () => {
    const root = await configDir({
      'environment.yaml': ENVIRONMENT,
      'schemas/orders.yaml': SCHEMA_DOC,
      'avro/order.avsc': avro([]),
    });
    const registry = await createSchemaRegistryProvider(
      'test',
      (await loadConfig(root, 'test')).environment.spec,
      secrets,
    );
    let inventory: Inventory = {};
    const plan = async () => {
      const result = await planEnvironment({
        config: await loadConfig(root, 'test'),
        providers: [registry],
        inventory,
        source: { commit: uniqueName('commit') },
      });
      expect(result.problems).toEqual([]);
      if (!result.plan) throw new Error('no plan');
      return result.plan;
    };
    const apply = async (p: Awaited<ReturnType<typeof plan>>) => {
      const result = await applyPlan({ plan: p, providers: [registry], inventory, secrets, now: () => new Date() });
      inventory = result.inventory;
      return result.report;
    };

    // Create
    const first = await plan();
    expect(first.summary).toMatchObject({ create: 1, update: 0, refused: 0 });
    expect((await apply(first)).outcome).toBe('Succeeded');

    // Reformatting the file is not a change.
    await writeFile(join(root, 'avro/order.avsc'), JSON.stringify(JSON.parse(avro([]))));
    const same = await plan();
    expect(same.changes).toEqual([]);
    expect(same.noop).toEqual([`schema/subject/${subject}`]);

    // An incompatible version is refused in the plan, with the registry's reasons.
    await writeFile(join(root, 'avro/order.avsc'), avro([{ name: 'amount', type: 'long' }]));
    const breaking = await plan();
    expect(breaking.changes).toEqual([]);
    expect(breaking.refused).toEqual([
      expect.objectContaining({
        key: `schema/subject/${subject}`,
        reason: 'Incompatible',
        message: expect.stringMatching(/INCOMPATIBLE: .*field "amount" .* without a default/),
      }),
    ]);

    // A compatible version goes through, with the answer as a note.
    await writeFile(join(root, 'avro/order.avsc'), avro([{ name: 'amount', type: 'long', default: 0 }]));
    const evolving = await plan();
    expect(evolving.summary).toMatchObject({ update: 1, refused: 0 });
    expect(evolving.notes).toContainEqual(
      expect.objectContaining({
        level: 'info',
        message: expect.stringContaining('is compatible with the latest version under BACKWARD'),
      }),
    );
    const report = await apply(evolving);
    expect(report.results).toEqual([
      expect.objectContaining({ outcome: 'Succeeded', message: expect.stringMatching(/^registered version 2 /) }),
    ]);

    // Gone from git: deleted (soft, then permanently as the environment allows).
    await rm(join(root, 'schemas/orders.yaml'));
    const pruning = await plan();
    expect(pruning.changes.map((c) => [c.key, c.action])).toEqual([[`schema/subject/${subject}`, 'Delete']]);
    const pruned = await apply(pruning);
    expect(pruned.results[0]).toMatchObject({
      outcome: 'Succeeded',
      message: 'soft-deleted versions 1, 2; permanently deleted',
    });
    expect(inventory).toEqual({});
  });
});
