import type { ConfigProblem } from '../../errors.ts';
import type { JsonObject } from '../../model/common.ts';
import type { ConfigDocument } from '../../model/documents.ts';
import { keys } from '../../model/keys.ts';
import {
  needsNewVersion,
  SCHEMA_FIELDS,
  type SchemaDesired,
  type SchemaLive,
  type SchemaType,
} from '../../model/kinds/schema.ts';
import type { FieldChange } from '../../model/plan.ts';
import {
  comparableSchema,
  describeSchema,
  normalizeSchema,
  type SchemaProblem,
  summarizeSchemaChange,
} from '../../schemas/index.ts';
import { jsonEqual } from '../canonical-json.ts';
import type { KindRules } from '../kind-rules.ts';
import { exportEach } from './export-names.ts';
import type { DocumentKindModule, Renderer, ResourceKindModule } from './kind-module.ts';

export { needsNewVersion, SCHEMA_FIELDS, type SchemaDesired, type SchemaLive };

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

/**
 * A Schema document becomes one subject: `{ subject, type, schema, references, compatibility? }`, where `schema`
 * is the canonical text (lib/schemas) so that formatting and key order never show up as a change. The loader has
 * already read `spec.file` into `spec.schema`. A schema that does not parse is reported at file:line:column:
 * inside the schema file for `file:`, at the `schema:` field for inline schemas.
 */
export const renderSchema: Renderer<'Schema'> = (doc) => {
  const subject = doc.spec.subject ?? doc.metadata.name;
  // Without text the loader could not read spec.file and has said so already.
  if (doc.spec.schema === undefined) return { resources: [], problems: [] };
  const references = doc.spec.references.map((r) => ({ name: r.name, subject: r.subject, version: r.version }));
  const result = normalizeSchema(
    doc.spec.type,
    doc.spec.schema,
    references.map((r) => r.name),
  );
  if (!result.ok) return { resources: [], problems: result.problems.map((p) => locateProblem(doc, p)) };
  const spec: JsonObject = {
    subject,
    type: doc.spec.type,
    schema: result.canonical,
    references,
    ...(doc.spec.compatibility !== undefined ? { compatibility: doc.spec.compatibility } : {}),
  };
  return {
    resources: [{ key: keys.subject(subject), kind: 'Schema', name: subject, spec, source: doc.source }],
    problems: [],
  };
};

/** Puts a schema problem where the user can find it: the schema file's own line, or the inline text's line. */
function locateProblem(doc: ConfigDocument<'Schema'>, problem: SchemaProblem): ConfigProblem {
  const base = {
    resource: `Schema "${doc.metadata.name}"`,
    message: problem.message,
    ...(problem.hint !== undefined ? { hint: problem.hint } : {}),
  };
  if (doc.spec.file !== undefined) {
    const at = problem.line !== undefined ? { line: problem.line, column: problem.column ?? 1 } : undefined;
    if (at) return { file: joinPath(dirnameOf(doc.source.file), doc.spec.file), ...at, ...base };
    return { ...doc.locate(['spec', 'file']), field: 'spec.file', ...base };
  }
  const where = doc.locate(['spec', 'schema']);
  const text = typeof doc.spec.schema === 'string' ? doc.spec.schema : undefined;
  if (text === undefined || problem.line === undefined) return { ...where, field: 'spec.schema', ...base };
  // A multi-line text is a block scalar (`schema: |`): its first line is the line after the key.
  const blockScalar = text.includes('\n');
  return {
    ...where,
    line: where.line + (blockScalar ? problem.line : problem.line - 1),
    field: 'spec.schema',
    ...base,
    message: `${problem.message} (schema line ${problem.line}${problem.column !== undefined ? `, column ${problem.column}` : ''})`,
  };
}

function dirnameOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '.' : slash === 0 ? '/' : path.slice(0, slash);
}

/** POSIX join with `.`/`..` folded; pure on purpose (no node:path in lib/plan). */
function joinPath(base: string, relative: string): string {
  const absolute = relative.startsWith('/');
  const parts: string[] = [];
  for (const part of `${absolute ? '' : `${base}/`}${relative}`.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length > 0 && parts.at(-1) !== '..') parts.pop();
    else parts.push(part);
  }
  const leading = absolute || base.startsWith('/') ? '/' : '';
  return `${leading}${parts.join('/')}`;
}

export const schemaDocument: DocumentKindModule<'Schema'> = { kind: 'Schema', role: 'resource', render: renderSchema };

export const schemaKind: ResourceKindModule<'Schema'> = {
  kind: 'Schema',
  wave: 4,
  rules: schemaRules,
  identityName: 'latest',
  export: { file: 'schemas.yaml', document: 'Schema', toDocuments: exportEach('Schema', schemaRules) },
};
