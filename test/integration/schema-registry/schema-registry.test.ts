import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSchemaRegistryProvider } from '../../../lib/adapters/schema-registry/schema-registry-provider.ts';
import { LocalSecretResolver } from '../../../lib/adapters/secrets/env-secret-resolver.ts';
import type { JsonObject } from '../../../lib/model/common.ts';
import type { EnvironmentSpec } from '../../../lib/model/environment.ts';
import { keys } from '../../../lib/model/keys.ts';
import type { SchemaType } from '../../../lib/model/kinds/schema.ts';
import type { PlannedChange } from '../../../lib/model/plan.ts';
import type { DesiredResource, ObservedResource } from '../../../lib/model/resource.ts';
import { schemaRules } from '../../../lib/plan/kinds/schema.ts';
import type { ResourceProvider } from '../../../lib/ports/resource-provider.ts';
import { normalizeSchema } from '../../../lib/schemas/index.ts';
import { testEnvironment } from '../../support/builders.ts';
import { inventoryFor, planChange } from '../../support/plan-change.ts';
import { deleteSubjects, REGISTRY_URL, registryRequest as raw } from '../../support/schema-registry.ts';
import { uniqueName } from '../../support/unique-name.ts';

const prefix = `${uniqueName('it-sr')}-`;
const secrets = new LocalSecretResolver({ env: {} });

const environment = (hardDeleteSchemas: boolean): EnvironmentSpec =>
  testEnvironment({ schemaRegistry: { url: REGISTRY_URL }, hardDeleteSchemas }).spec;

let registry: ResourceProvider;
let hardDeleting: ResourceProvider;

beforeAll(async () => {
  registry = await createSchemaRegistryProvider('it', environment(false), secrets);
  hardDeleting = await createSchemaRegistryProvider('it', environment(true), secrets);
});

afterAll(async () => {
  await deleteSubjects(prefix);
});

/** What renderSchema makes of a Schema document. */
function schema(
  subject: string,
  text: string,
  options: {
    type?: SchemaType;
    references?: { name: string; subject: string; version: number }[];
    compatibility?: string;
  } = {},
): DesiredResource {
  const type = options.type ?? 'AVRO';
  const references = options.references ?? [];
  const result = normalizeSchema(
    type,
    text,
    references.map((r) => r.name),
  );
  if (!result.ok) throw new Error(`test schema does not parse: ${JSON.stringify(result.problems)}`);
  const spec: JsonObject = { subject, type, schema: result.canonical, references };
  if (options.compatibility) spec.compatibility = options.compatibility;
  return { key: keys.subject(subject), kind: 'Schema', name: subject, spec };
}

async function observe(subject: string): Promise<ObservedResource | undefined> {
  const [found] = await registry.observeKeys([keys.subject(subject)]);
  return found;
}

/** Plans one subject against the live registry, the way the planner would. */
async function plan(desired: DesiredResource, managed?: string[]): Promise<PlannedChange | undefined> {
  const live = await observe(desired.name);
  const inventory = managed ? { ...inventoryFor(schemaRules, desired), managedFields: managed } : undefined;
  return planChange(schemaRules, desired, live, inventory);
}

async function applyOne(change: PlannedChange | undefined, provider = registry) {
  if (!change) throw new Error('expected a change');
  const [result] = await provider.apply([change], { secrets });
  return result;
}

const order = (fields: object[]) =>
  JSON.stringify({
    type: 'record',
    name: 'Order',
    namespace: 'shop',
    fields: [{ name: 'id', type: 'string' }, ...fields],
  });

describe('SchemaRegistryProvider (Apicurio, Confluent API)', () => {
  it('registers a subject with its compatibility, then sees no difference however the schema is written', async () => {
    // Prepare
    const subject = `${prefix}orders-value`;
    const desired = schema(subject, order([]), { compatibility: 'BACKWARD' });

    // Act
    const result = await applyOne(await plan(desired));

    // Assess
    expect(result).toMatchObject({ outcome: 'Succeeded', action: 'Create' });
    expect(result?.message).toMatch(/^compatibility BACKWARD; registered version 1 \(id \d+\)$/);
    const live = await observe(subject);
    expect(live?.spec).toMatchObject({ subject, type: 'AVRO', compatibility: 'BACKWARD', version: 1, references: [] });
    const respaced = schema(
      subject,
      JSON.stringify(
        {
          doc: 'Orders as placed',
          fields: [{ type: { type: 'string' }, name: 'id', doc: 'order id' }],
          name: 'shop.Order',
          type: 'record',
        },
        null,
        3,
      ),
      { compatibility: 'BACKWARD' },
    );
    expect(await plan(respaced, ['compatibility'])).toBeUndefined();
  });

  it('says a compatible change is compatible, and registers it as a new version', async () => {
    // Prepare
    const subject = `${prefix}compatible-value`;
    await applyOne(await plan(schema(subject, order([]), { compatibility: 'BACKWARD' })));
    const next = schema(subject, order([{ name: 'note', type: 'string', default: '' }]), {
      compatibility: 'BACKWARD',
    });
    const change = await plan(next, ['compatibility']);

    // Act
    const notes = await registry.check?.([change as PlannedChange]);
    const result = await applyOne(change);

    // Assess
    expect(change?.fields).toEqual([
      {
        path: 'schema',
        before: 'version 1: AVRO record shop.Order (1 fields)',
        after: 'new version: AVRO record shop.Order (2 fields)',
        note: 'added: Order.note',
      },
    ]);
    expect(notes).toEqual([
      {
        key: keys.subject(subject),
        level: 'info',
        message: `Schema "${subject}": the new version is compatible with the latest version under BACKWARD`,
      },
    ]);
    expect(result?.message).toMatch(/^registered version 2 \(id \d+\)$/);
    expect(await plan(next, ['compatibility'])).toBeUndefined();
  });

  it('says why an incompatible change is incompatible, and apply reports the registry refusal', async () => {
    // Prepare
    const subject = `${prefix}incompatible-value`;
    await applyOne(
      await plan(schema(subject, order([{ name: 'amount', type: 'long' }]), { compatibility: 'BACKWARD' })),
    );
    const breaking = schema(
      subject,
      order([
        { name: 'amount', type: 'string' },
        { name: 'currency', type: 'string' },
      ]),
      {
        compatibility: 'BACKWARD',
      },
    );
    const change = await plan(breaking, ['compatibility']);

    // Act
    const notes = (await registry.check?.([change as PlannedChange])) ?? [];
    const result = await applyOne(change);

    // Assess
    expect(notes).toHaveLength(1);
    expect(notes[0]?.level).toBe('error');
    expect(notes[0]?.message).toContain(
      `Schema "${subject}": INCOMPATIBLE: the new version is not BACKWARD-compatible`,
    );
    // Apicurio's Confluent endpoint gives no reasons; the native dry run does (field type and the new field).
    expect(notes[0]?.message).toMatch(/Reasons: .*(STRING|string).*(LONG|long)/i);
    expect(notes[0]?.message).toContain('currency');
    expect(result?.outcome).toBe('Failed');
    expect(result?.message).toContain(
      `the registry rejected the new version of "${subject}" as incompatible (BACKWARD)`,
    );
    expect((await observe(subject))?.spec).toMatchObject({ version: 1 });
  });

  it('changes, and resets, the subject compatibility level', async () => {
    // Prepare
    const subject = `${prefix}levels-value`;
    await applyOne(await plan(schema(subject, order([]), { compatibility: 'FULL' })));
    const global = (await raw<{ compatibilityLevel: string }>('GET', '/config')).compatibilityLevel;

    // Act
    const toNone = await plan(schema(subject, order([]), { compatibility: 'NONE' }), ['compatibility']);
    const toNoneResult = await applyOne(toNone);
    const reset = await plan(schema(subject, order([])), ['compatibility']);
    const resetResult = await applyOne(reset);

    // Assess
    expect(toNone?.fields).toEqual([{ path: 'compatibility', before: 'FULL', after: 'NONE' }]);
    expect(toNoneResult?.message).toBe('compatibility FULL -> NONE');
    expect(reset?.fields).toEqual([
      { path: 'compatibility', before: 'NONE', note: "removed from git: reset to the registry's global level" },
    ]);
    expect(resetResult).toMatchObject({ outcome: 'Succeeded', message: 'compatibility reset to the global level' });
    expect((await observe(subject))?.spec.compatibility).toBe(global);
  });

  it('registers a subject and the subject it references in one apply, referenced first', async () => {
    // Prepare
    const address = `${prefix}address-value`;
    const customer = `${prefix}customer-value`;
    const addressSchema = schema(
      address,
      '{"type":"record","name":"Address","namespace":"shop","fields":[{"name":"street","type":"string"}]}',
    );
    const customerSchema = schema(
      customer,
      '{"type":"record","name":"Customer","namespace":"shop","fields":[{"name":"address","type":"Address"}]}',
      { references: [{ name: 'shop.Address', subject: address, version: 1 }], compatibility: 'BACKWARD' },
    );
    const changes = [await plan(customerSchema), await plan(addressSchema)] as PlannedChange[];

    // Act
    const notes = await registry.check?.(changes);
    const results = await registry.apply(changes, { secrets });

    // Assess
    expect(notes).toEqual([]);
    expect(results.map((r) => [r.key, r.outcome])).toEqual([
      [keys.subject(address), 'Succeeded'],
      [keys.subject(customer), 'Succeeded'],
    ]);
    expect((await observe(customer))?.spec.references).toEqual([
      { name: 'shop.Address', subject: address, version: 1 },
    ]);
    expect(await plan(customerSchema, ['compatibility'])).toBeUndefined();

    // A change to a schema with references is checked too (Apicurio: through its native API).
    const breaking = schema(
      customer,
      '{"type":"record","name":"Customer","namespace":"shop","fields":[{"name":"address","type":"Address"},{"name":"vip","type":"boolean"}]}',
      { references: [{ name: 'shop.Address', subject: address, version: 1 }], compatibility: 'BACKWARD' },
    );
    const [note] = (await registry.check?.([(await plan(breaking, ['compatibility'])) as PlannedChange])) ?? [];
    expect(note?.level).toBe('error');
    expect(note?.message).toContain('INCOMPATIBLE');
    expect(note?.message).toContain('vip');

    // The referenced subject cannot go while it is referenced, and says so.
    const [deleted] = await registry.apply(
      [planChange(schemaRules, undefined, await observe(address)) as PlannedChange],
      {
        secrets,
      },
    );
    expect(deleted).toMatchObject({ outcome: 'Failed' });
    expect(deleted?.message).toContain(`subject "${address}" is still referenced by other subjects`);
  });

  it('flags a reference to a version that does not exist', async () => {
    const subject = `${prefix}dangling-value`;
    const change = await plan(
      schema(subject, '{"type":"record","name":"P","namespace":"x","fields":[{"name":"a","type":"x.Missing"}]}', {
        references: [{ name: 'x.Missing', subject: `${prefix}nowhere`, version: 3 }],
      }),
    );
    const notes = await registry.check?.([change as PlannedChange]);
    expect(notes).toEqual([
      {
        key: keys.subject(subject),
        level: 'error',
        message: `Schema "${subject}": reference "x.Missing" points at subject "${prefix}nowhere" version 3, which does not exist in the registry`,
      },
    ]);
  });

  it('refuses to plan a rollback to an old version the registry would not register again', async () => {
    // Prepare
    const subject = `${prefix}rollback-value`;
    const v1 = schema(subject, order([]), { compatibility: 'NONE' });
    await applyOne(await plan(v1));
    await applyOne(
      await plan(schema(subject, order([{ name: 'x', type: 'int' }]), { compatibility: 'NONE' }), ['compatibility']),
    );
    const back = await plan(v1, ['compatibility']);

    // Act
    const notes = (await registry.check?.([back as PlannedChange])) ?? [];
    const result = await applyOne(back);

    // Assess
    expect(notes[0]?.level).toBe('error');
    expect(notes[0]?.message).toContain('this schema is already version 1 of the subject (the latest is version 2)');
    expect(result?.outcome).toBe('Failed');
    expect(result?.message).toContain('did not add a new version: the latest is still version 2');
  });

  it('registers JSON Schema and Protobuf subjects without false differences afterwards', async () => {
    const json = schema(
      `${prefix}json-value`,
      '{"type":"object","properties":{"b":{"type":"integer"},"a":{"type":"string"}}}',
      {
        type: 'JSON',
      },
    );
    const proto = schema(
      `${prefix}proto-value`,
      'syntax = "proto3";\npackage shop;\n// c\nmessage Order { string id = 1; }\n',
      {
        type: 'PROTOBUF',
      },
    );
    const results = await registry.apply([(await plan(json)) as PlannedChange, (await plan(proto)) as PlannedChange], {
      secrets,
    });
    expect(results.map((r) => r.outcome)).toEqual(['Succeeded', 'Succeeded']);
    expect((await observe(json.name))?.spec.type).toBe('JSON');
    expect(
      await plan(
        schema(
          json.name,
          '{ "properties": { "a": { "type": "string" }, "b": { "type": "integer" } }, "type": "object" }',
          { type: 'JSON' },
        ),
      ),
    ).toBeUndefined();
    expect(
      await plan(
        schema(proto.name, 'syntax = "proto3"; package shop; message Order {\n  string id = 1;\n}', {
          type: 'PROTOBUF',
        }),
      ),
    ).toBeUndefined();
  });

  it('deletes softly by default, and permanently only when the environment allows it', async () => {
    // Prepare
    const subject = `${prefix}deleted-value`;
    await applyOne(await plan(schema(subject, order([]))));
    const live = await observe(subject);

    // Act
    const soft = await applyOne(planChange(schemaRules, undefined, live));
    const softList = await raw<string[]>('GET', '/subjects?deleted=true');
    const hard = await applyOne(planChange(schemaRules, undefined, live), hardDeleting);

    // Assess
    expect(soft).toMatchObject({ outcome: 'Succeeded', action: 'Delete' });
    expect(soft?.message).toMatch(/^soft-deleted versions 1 \(soft delete: .*hardDeleteSchemas: true/);
    expect(await observe(subject)).toBeUndefined();
    expect(softList).toContain(subject);
    expect(hard).toMatchObject({ outcome: 'Succeeded', message: 'already soft-deleted; permanently deleted' });
    expect(await raw<string[]>('GET', '/subjects?deleted=true')).not.toContain(subject);
  });

  it('lists every subject for prune and export, normalized like desired', async () => {
    const all = await registry.observe([]);
    const mine = all.filter((o) => o.name.startsWith(prefix));
    expect(mine.length).toBeGreaterThanOrEqual(5);
    for (const resource of mine) {
      expect(resource.key).toBe(keys.subject(resource.name));
      expect(resource.spec).toHaveProperty('compatibility');
    }
  });
});
