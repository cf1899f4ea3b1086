import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../../lib/model/common.ts';
import type { DesiredResource, InventoryEntry, ObservedResource } from '../../../../lib/model/resource.ts';
import { schemaRules } from '../../../../lib/plan/kinds/schema.ts';
import { normalizeSchema } from '../../../../lib/schemas/index.ts';

const canonical = (text: string) => {
  const r = normalizeSchema('AVRO', text, []);
  if (!r.ok) throw new Error('bad schema');
  return r.canonical;
};
const V1 = canonical('{"type":"record","name":"Order","fields":[{"name":"id","type":"string"}]}');
const V2 = canonical(
  '{"type":"record","name":"Order","fields":[{"name":"id","type":"string"},{"name":"note","type":"string","default":""}]}',
);

const desired = (spec: JsonObject): DesiredResource => ({
  key: 'schema/subject/orders-value',
  kind: 'Schema',
  name: 'orders-value',
  spec: { subject: 'orders-value', type: 'AVRO', schema: V1, references: [], ...spec },
});
const live = (spec: JsonObject = {}): ObservedResource => ({
  key: 'schema/subject/orders-value',
  kind: 'Schema',
  name: 'orders-value',
  spec: {
    subject: 'orders-value',
    type: 'AVRO',
    schema: V1,
    references: [],
    compatibility: 'BACKWARD',
    version: 3,
    id: 12,
    ...spec,
  },
});
const diff = (d: DesiredResource, l: ObservedResource, inventory?: InventoryEntry) =>
  schemaRules.diff?.({ desired: d, live: l, inventory }) ?? [];

describe('schemaRules', () => {
  it('sees no change when only formatting or documentation differs', () => {
    const documented = canonical(
      '{"type":"record","name":"Order","doc":"an order","fields":[{"name":"id","type":"string","doc":"key"}]}',
    );
    expect(diff(desired({ schema: documented }), live())).toEqual([]);
  });

  it('plans a new version for a changed schema, saying what changed', () => {
    expect(diff(desired({ schema: V2 }), live())).toEqual([
      {
        path: 'schema',
        before: 'version 3: AVRO record Order (1 fields)',
        after: 'new version: AVRO record Order (2 fields)',
        note: 'added: Order.note',
      },
    ]);
  });

  it('plans a new version when references change', () => {
    const fields = diff(
      desired({ references: [{ name: 'x.A', subject: 'a', version: 2 }] }),
      live({ references: [{ name: 'x.A', subject: 'a', version: 1 }] }),
    );
    expect(fields).toEqual([{ path: 'references', before: 'x.A -> a v1', after: 'x.A -> a v2' }]);
  });

  it('compares a declared compatibility with the effective level only', () => {
    expect(diff(desired({ compatibility: 'BACKWARD' }), live())).toEqual([]);
    expect(diff(desired({ compatibility: 'FULL' }), live())).toEqual([
      { path: 'compatibility', before: 'BACKWARD', after: 'FULL' },
    ]);
    expect(diff(desired({}), live({ compatibility: 'NONE' }))).toEqual([]);
  });

  it('resets a compatibility Landscape set before and git no longer declares', () => {
    const inventory = { key: 'schema/subject/orders-value', kind: 'Schema' as const, managedFields: ['compatibility'] };
    expect(diff(desired({}), live({ compatibility: 'FULL' }), inventory)).toEqual([
      { path: 'compatibility', before: 'FULL', note: "removed from git: reset to the registry's global level" },
    ]);
    expect(schemaRules.managedFields?.(desired({ compatibility: 'FULL' }))).toEqual(['compatibility']);
  });

  it('shows a Create without the schema text', () => {
    expect(schemaRules.createFields?.(desired({ compatibility: 'FULL' }))).toEqual([
      { path: 'subject', after: 'orders-value' },
      { path: 'type', after: 'AVRO' },
      { path: 'schema', after: 'version 1: AVRO record Order (1 fields)' },
      { path: 'compatibility', after: 'FULL' },
    ]);
  });

  it('exports a readable schema', () => {
    const spec = schemaRules.exportSpec?.(live());
    expect(spec?.schema).toBe(`${JSON.stringify(JSON.parse(V1), null, 2)}\n`);
    expect(spec).not.toHaveProperty('version');
  });
});
