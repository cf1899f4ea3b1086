import type { JsonObject } from '../../model/common.ts';
import type { SchemaType } from '../../model/kinds/schema.ts';
import type { FieldChange } from '../../model/plan.ts';
import { comparableSchema, describeSchema, summarizeSchemaChange } from '../../schemas/index.ts';
import { jsonEqual } from '../canonical-json.ts';
import type { KindRules } from '../kind-rules.ts';

/** A subject as rendered (lib/plan/render/schema.ts). */
export interface SchemaDesired {
  subject: string;
  type: SchemaType;
  /** Canonical text (lib/schemas). */
  schema: string;
  references: { name: string; subject: string; version: number }[];
  compatibility?: string;
}

/** A subject as the registry adapter observes it: its latest version, normalized the same way. */
export interface SchemaLive {
  subject: string;
  type: SchemaType;
  schema: string;
  references: { name: string; subject: string; version: number }[];
  /** The effective level (the subject's own, else the registry's global one). */
  compatibility: string;
  version: number;
  id: number;
}

/** Field paths of a Schema change; apply keys its steps on them. */
export const SCHEMA_FIELDS = {
  schema: 'schema',
  references: 'references',
  type: 'type',
  compatibility: 'compatibility',
} as const;

/** The fields that need a new version to be registered. */
export function needsNewVersion(fields: readonly FieldChange[]): boolean {
  return fields.some((f) => f.path === 'schema' || f.path === 'references' || f.path === 'type');
}

const sortedReferences = (refs: SchemaDesired['references']) =>
  [...refs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

/**
 * Schema subjects. A changed schema (or its references) is an Update that registers a new version; the old
 * versions stay, as registries keep them. Schemas are compared in canonical form, minus documentation the
 * registry ignores, so reformatting is never a change. A declared compatibility level is compared with the
 * effective one (an inherited global level equal to the declared one is not a diff); a level Landscape set before
 * and that is gone from git is reset to the registry's global level.
 */
export const schemaRules: KindRules = {
  diff({ desired, live, inventory }) {
    const want = desired.spec as unknown as SchemaDesired;
    const have = live.spec as unknown as Partial<SchemaLive>;
    const fields: FieldChange[] = [];
    if (have.type !== undefined && have.type !== want.type) {
      fields.push({ path: 'type', before: have.type, after: want.type, note: 'the subject changes schema type' });
    }
    const haveSchema = have.schema ?? '';
    if (
      have.type !== want.type ||
      comparableSchema(want.type, want.schema) !== comparableSchema(want.type, haveSchema)
    ) {
      fields.push({
        path: 'schema',
        before: `version ${have.version ?? '?'}: ${describeSchema(have.type ?? want.type, haveSchema)}`,
        after: `new version: ${describeSchema(want.type, want.schema)}`,
        note:
          have.type === want.type ? summarizeSchemaChange(want.type, haveSchema, want.schema) : 'schema type changed',
      });
    }
    const haveRefs = sortedReferences(have.references ?? []);
    const wantRefs = sortedReferences(want.references);
    if (!jsonEqual(haveRefs as unknown as JsonObject[], wantRefs as unknown as JsonObject[])) {
      fields.push({
        path: 'references',
        before: haveRefs.map((r) => `${r.name} -> ${r.subject} v${r.version}`).join(', '),
        after: wantRefs.map((r) => `${r.name} -> ${r.subject} v${r.version}`).join(', '),
      });
    }
    if (want.compatibility !== undefined && want.compatibility !== have.compatibility) {
      fields.push({
        path: 'compatibility',
        ...(have.compatibility !== undefined ? { before: have.compatibility } : {}),
        after: want.compatibility,
      });
    } else if (want.compatibility === undefined && inventory?.managedFields?.includes('compatibility')) {
      fields.push({
        path: 'compatibility',
        ...(have.compatibility !== undefined ? { before: have.compatibility } : {}),
        note: "removed from git: reset to the registry's global level",
      });
    }
    return fields;
  },

  createFields(desired) {
    const want = desired.spec as unknown as SchemaDesired;
    return [
      { path: 'subject', after: want.subject },
      { path: 'type', after: want.type },
      { path: 'schema', after: `version 1: ${describeSchema(want.type, want.schema)}` },
      ...(want.references.length > 0
        ? [
            {
              path: 'references',
              after: want.references.map((r) => `${r.name} -> ${r.subject} v${r.version}`).join(', '),
            },
          ]
        : []),
      ...(want.compatibility !== undefined ? [{ path: 'compatibility', after: want.compatibility }] : []),
    ];
  },

  managedFields(desired) {
    return (desired.spec as unknown as SchemaDesired).compatibility !== undefined ? ['compatibility'] : [];
  },

  exportSpec(live) {
    const have = live.spec as unknown as SchemaLive;
    return {
      subject: have.subject,
      type: have.type,
      schema: prettySchema(have.type, have.schema),
      references: have.references as unknown as JsonObject[],
      compatibility: have.compatibility,
    } as JsonObject;
  },
};

/** Avro and JSON schemas are exported indented (canonical text is one line), Protobuf as it is. */
function prettySchema(type: SchemaType, canonical: string): string {
  if (type === 'PROTOBUF') return canonical;
  try {
    return `${JSON.stringify(JSON.parse(canonical), null, 2)}\n`;
  } catch {
    return canonical;
  }
}
