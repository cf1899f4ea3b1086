import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { CONFIG_API_VERSION, MetadataSchema, SecretRefSchema } from '../model/common.ts';
import { KINDS, type Kind, SPEC_SCHEMAS } from '../model/documents.ts';
import { TopicConfigSchema } from '../model/kinds/topic.ts';
import { RESOURCE_KINDS } from '../model/resource.ts';
import { TOPIC_CONFIG_DEFINITIONS, TOPIC_CONFIG_VERSIONS } from '../model/topic-config-definitions.ts';

/**
 * The field reference (docs/reference.md) and the JSON Schemas editors use (`landscape schema`), both generated
 * from the zod schemas the loader validates with, so neither can disagree with what `landscape validate` accepts.
 * Pure: the examples are passed in (lib/config/reference-files.ts reads them).
 *
 * Cross-field rules (refinements: "set exactly one of schema or file") have no JSON Schema form: the exported
 * schemas accept a little more than the loader, never less, and the loader's message names the rule.
 */

/** A JSON Schema node as zod writes it (draft-07). */
export interface JsonSchema {
  [key: string]: unknown;
  $ref?: string;
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  definitions?: Record<string, JsonSchema>;
}

export const JSON_SCHEMA_DRAFT = 'http://json-schema.org/draft-07/schema#';
/** The file `landscape schema` writes for every kind at once (multi-document YAML files). */
export const COMBINED_SCHEMA_FILE = 'landscape.schema.json';
/** Where the checked-in copies live, relative to the repository root. */
export const SCHEMAS_DIR = 'docs/schemas';
export const REFERENCE_FILE = 'docs/reference.md';
export const REGENERATE_COMMAND = 'node scripts/generate-reference.ts';

/** `KubernetesManifest` -> `kubernetes-manifest.schema.json`. */
export function kindSchemaFileName(kind: string): string {
  return `${kind.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}.schema.json`;
}

const OverlaySchema = z
  .strictObject({
    spec: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Merged into `spec`: mappings merge, lists and values replace, `null` removes the field.'),
    metadata: z.record(z.string(), z.unknown()).optional().describe('Merged into `metadata` the same way.'),
  })
  .describe('Changes for one environment.');

/** The loader reads a missing `spec` as `{}`: it is required only where `{}` is not a valid spec. */
function specIsRequired(kind: Kind): boolean {
  return !(SPEC_SCHEMAS[kind] as z.ZodType).safeParse({}).success;
}

/** The whole document of one kind, as the loader checks it (parse-config.ts: envelope, then spec). */
export function documentSchemaOf(kind: Kind): z.ZodType {
  const spec = SPEC_SCHEMAS[kind] as z.ZodType;
  return z.strictObject({
    apiVersion: z.literal(CONFIG_API_VERSION).describe('The config format version this release reads.'),
    kind: z.literal(kind),
    metadata: MetadataSchema,
    spec: specIsRequired(kind) ? spec : spec.optional(),
    overlays: z
      .record(z.string(), OverlaySchema)
      .optional()
      .describe('Per environment name (an Environment document), changes to this document in that environment.'),
  });
}

const SAFE_INTEGER_BOUNDS = new Set([Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]);

/** The topic config map, with every key Landscape knows (so editors complete and explain them). */
const topicConfigSchemas: ReadonlySet<unknown> = new Set([TopicConfigSchema, TopicConfigSchema.unwrap()]);

function topicConfigKeyDescription(key: string): string {
  const variants = TOPIC_CONFIG_DEFINITIONS[key] ?? [];
  const everyVersion = (versions: readonly string[]) =>
    versions.length === TOPIC_CONFIG_VERSIONS.length && TOPIC_CONFIG_VERSIONS.every((v) => versions.includes(v));
  return variants
    .map((v) => {
      const parts = [everyVersion(v.versions) ? v.type : `Kafka ${v.versions.join(', ')}: ${v.type}`];
      if (v.default !== null && v.default !== '') parts.push(`broker default ${v.default}`);
      if (v.min !== undefined || v.max !== undefined) parts.push(`range ${v.min ?? '…'}..${v.max ?? '…'}`);
      if (v.oneOf) parts.push(`one of ${v.oneOf.join(', ')}`);
      if (v.listOf) parts.push(`comma-separated list of ${v.listOf.join(', ')}`);
      return parts.join('; ');
    })
    .join(' | ');
}

/** A snippet tab stop with its placeholder text: `${1:VARIABLE}`. */
const tabStop = (index: number, placeholder: string): string => `\${${index}:${placeholder}}`;

/** Post-processing of zod's export, node by node: drops noise and adds what a refinement checks. */
function adjust(ctx: { zodSchema: unknown; jsonSchema: JsonSchema }): void {
  const json = ctx.jsonSchema;
  // z.int() writes the safe-integer bounds out; they say nothing to a user and clutter every integer.
  for (const bound of ['maximum', 'minimum'] as const)
    if (typeof json[bound] === 'number' && SAFE_INTEGER_BOUNDS.has(json[bound] as number)) delete json[bound];
  const names = json.propertyNames as JsonSchema | undefined;
  if (names && Object.keys(names).length === 1 && names.type === 'string') delete json.propertyNames;
  if (ctx.zodSchema === SecretRefSchema) {
    // Completion in editors (the YAML language server reads `defaultSnippets`; validators ignore it).
    json.defaultSnippets = [
      { label: 'secretRef: env', body: { secretRef: { provider: 'env', name: tabStop(1, 'VARIABLE') } } },
      {
        label: 'secretRef: aws-secretsmanager',
        body: {
          secretRef: {
            provider: 'aws-secretsmanager',
            name: tabStop(1, 'landscape/environment/name'),
            key: tabStop(2, 'key'),
          },
        },
      },
    ];
  }
  if (topicConfigSchemas.has(ctx.zodSchema)) {
    // The spec refines the map to known keys ("did you mean"); listing them lets editors complete them.
    json.properties = Object.fromEntries(
      Object.keys(TOPIC_CONFIG_DEFINITIONS)
        .sort()
        .map((key) => [key, { type: ['string', 'number', 'boolean'], description: topicConfigKeyDescription(key) }]),
    );
    json.additionalProperties = false;
  }
}

function exportZod(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, {
    target: 'draft-07',
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => adjust(ctx as { zodSchema: unknown; jsonSchema: JsonSchema }),
  }) as JsonSchema;
}

/** The JSON Schema of one kind's documents, self-contained (an editor may load just this file). */
export function kindJsonSchema(kind: Kind): JsonSchema {
  const exported = exportZod(documentSchemaOf(kind));
  const { $schema: _, definitions, ...body } = exported;
  return {
    $schema: JSON_SCHEMA_DRAFT,
    title: `Landscape ${kind}`,
    ...body,
    ...(definitions && Object.keys(definitions).length > 0 ? { definitions: sortKeys(definitions) } : {}),
  };
}

/**
 * One schema for every kind (`oneOf`, told apart by `kind`): what a YAML language server applies to each
 * document of a multi-document file.
 */
export function combinedJsonSchema(): JsonSchema {
  const definitions: Record<string, JsonSchema> = {};
  for (const kind of KINDS) {
    const { $schema: _, title: __, definitions: shared, ...body } = kindJsonSchema(kind);
    definitions[kind] = { title: `Landscape ${kind}`, ...body };
    for (const [name, schema] of Object.entries(shared ?? {})) {
      const existing = definitions[name];
      if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(schema)) {
        throw new Error(`two different definitions named "${name}" (a kind and a shared schema?)`);
      }
      definitions[name] = schema;
    }
  }
  return {
    $schema: JSON_SCHEMA_DRAFT,
    title: 'Landscape configuration document',
    description: `A document of a Landscape configuration (apiVersion ${CONFIG_API_VERSION}), one of: ${KINDS.join(', ')}.`,
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata'],
    properties: { kind: { type: 'string', enum: [...KINDS] } },
    oneOf: KINDS.map((kind) => ({ $ref: `#/definitions/${kind}` })),
    definitions: sortKeys(definitions),
  };
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export interface GeneratedFile {
  /** File name (schemas) or path relative to the repository root (the reference). */
  name: string;
  content: string;
}

/** `<kind>.schema.json` per kind and `landscape.schema.json`, sorted by name. */
export function jsonSchemaFiles(): GeneratedFile[] {
  const files = KINDS.map((kind) => ({ name: kindSchemaFileName(kind), content: toJsonText(kindJsonSchema(kind)) }));
  files.push({ name: COMBINED_SCHEMA_FILE, content: toJsonText(combinedJsonSchema()) });
  return files.sort((a, b) => (a.name < b.name ? -1 : 1));
}

function toJsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

// ---- Examples ----

/** A YAML file that may hold example documents, with its path as the reference shows it. */
export interface ExampleSourceFile {
  path: string;
  text: string;
}

export interface KindExample {
  /** Where it was taken from (relative path). */
  source: string;
  /** The document as written there (comments kept). */
  yaml: string;
}

/** The first document of each kind in `files` (in the order given): the example the reference shows. */
export function pickExamples(files: readonly ExampleSourceFile[]): Map<Kind, KindExample> {
  const examples = new Map<Kind, KindExample>();
  for (const file of files) {
    for (const document of parseAllDocuments(file.text)) {
      if (document.errors.length > 0) continue;
      const kind = (document.toJS() as { kind?: unknown } | null)?.kind;
      if (typeof kind !== 'string' || !(KINDS as string[]).includes(kind) || examples.has(kind as Kind)) continue;
      const text = file.text.slice(document.range[0], document.range[1]).replace(/^---\s*\n/, '');
      examples.set(kind as Kind, { source: file.path, yaml: `${text.trimEnd()}\n` });
    }
  }
  return examples;
}

// ---- The Markdown reference ----

interface FieldRow {
  path: string;
  /** `type: slack`: the variant of a union this field belongs to. */
  when?: string;
  type: string;
  required: boolean;
  defaultValue?: string;
  description: string;
}

const SECRET_REF_ID = 'SecretRef';
const COLLAPSED_PATHS: ReadonlySet<string> = new Set(['spec.config']);

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function code(value: string): string {
  return value.includes('`') ? `\`\` ${value} \`\`` : `\`${value}\``;
}

function literal(value: unknown): string {
  return code(typeof value === 'string' ? value : JSON.stringify(value));
}

function isSecretRef(schema: JsonSchema): boolean {
  return flatten(schema).$ref === `#/definitions/${SECRET_REF_ID}`;
}

/** zod wraps a `$ref` with siblings (a description, a default) in a one-entry `allOf` (draft-07 rule). */
function flatten(schema: JsonSchema): JsonSchema {
  const allOf = schema.allOf as JsonSchema[] | undefined;
  if (allOf?.length !== 1) return schema;
  const { allOf: _, ...rest } = schema;
  return { ...(allOf[0] as JsonSchema), ...rest };
}

function options(schema: JsonSchema): JsonSchema[] | undefined {
  return schema.oneOf ?? schema.anyOf;
}

/** The property every option of a union fixes to a constant (`type`, `mechanism`), if there is one. */
function discriminatorOf(variants: readonly JsonSchema[]): string | undefined {
  const first = variants[0]?.properties;
  if (!first) return undefined;
  for (const key of Object.keys(first)) {
    if (variants.every((v) => v.properties?.[key]?.const !== undefined || v.properties?.[key]?.enum !== undefined))
      return key;
  }
  return undefined;
}

function typeName(input: JsonSchema): string {
  const schema = flatten(input);
  if (isSecretRef(schema)) return 'secret reference';
  if (schema.const !== undefined) return literal(schema.const);
  if (schema.enum) return `one of ${schema.enum.map(literal).join(', ')}`;
  const variants = options(schema);
  if (variants) {
    const discriminator = discriminatorOf(variants);
    if (discriminator && variants.every((v) => v.type === 'object')) return `object, by ${code(discriminator)}`;
    const names = [...new Set(variants.map(typeName))];
    return names.length === 1 ? (names[0] as string) : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
  }
  if (Array.isArray(schema.type)) {
    return schema.type.length === 1
      ? (schema.type[0] as string)
      : `${schema.type.slice(0, -1).join(', ')} or ${schema.type.at(-1)}`;
  }
  if (schema.type === 'array') return `list of ${schema.items ? typeName(schema.items) : 'anything'}`;
  if (schema.type === 'object') {
    if (!schema.properties && typeof schema.additionalProperties === 'object') {
      return `map of ${typeName(schema.additionalProperties)}`;
    }
    return 'object';
  }
  if (schema.type === 'string' && schema.format === 'uri') return 'URL';
  return schema.type ?? 'anything';
}

function constraints(schema: JsonSchema): string[] {
  const notes: string[] = [];
  if (schema.minLength === 1) notes.push('not empty');
  else if (typeof schema.minLength === 'number') notes.push(`at least ${schema.minLength} characters`);
  if (typeof schema.maxLength === 'number') notes.push(`at most ${schema.maxLength} characters`);
  if (typeof schema.pattern === 'string') notes.push(`matches ${code(schema.pattern)}`);
  if (typeof schema.exclusiveMinimum === 'number') notes.push(`greater than ${schema.exclusiveMinimum}`);
  if (typeof schema.minimum === 'number') notes.push(`at least ${schema.minimum}`);
  if (typeof schema.maximum === 'number') notes.push(`at most ${schema.maximum}`);
  if (typeof schema.minItems === 'number' && schema.minItems > 0)
    notes.push(`at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}`);
  return notes;
}

/** The field's description, then its limits as a sentence: "Copies of each partition. Greater than 0." */
function describeField(schema: JsonSchema, limits: readonly string[]): string {
  const sentences: string[] = [];
  if (schema.description)
    sentences.push(/[.!?)]$/.test(schema.description) ? schema.description : `${schema.description}.`);
  if (limits.length > 0) {
    const text = limits.join(', ');
    sentences.push(`${text.charAt(0).toUpperCase()}${text.slice(1)}.`);
  }
  return sentences.join(' ');
}

function defaultText(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const json = JSON.stringify(value);
  // Object defaults are the defaults of their fields, listed on those rows.
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && json.length > 2) return 'see fields';
  return literal(value);
}

function collectRows(
  input: JsonSchema,
  path: string,
  required: boolean,
  rows: FieldRow[],
  when: string | undefined,
  depth = 0,
): void {
  if (depth > 12) return;
  const schema = flatten(input);
  const limits = constraints(schema);
  const itemLimits = schema.type === 'array' && schema.items ? constraints(flatten(schema.items)) : [];
  if (itemLimits.length > 0) limits.push(`each item ${itemLimits.join(', ')}`);
  // A list of objects described on the item (a grant, a credential) shows that description on the list's row.
  const items = schema.type === 'array' && schema.items ? flatten(schema.items) : undefined;
  const described =
    schema.description === undefined && items?.description ? { ...schema, description: items.description } : schema;
  const row: FieldRow = { path, type: typeName(schema), required, description: describeField(described, limits) };
  if (when) row.when = when;
  const shownDefault = defaultText(schema.default);
  if (shownDefault !== undefined) row.defaultValue = shownDefault;
  rows.push(row);
  // Secret references are described once (their own section); the topic config keys in their own table.
  if (isSecretRef(schema) || COLLAPSED_PATHS.has(path)) return;
  collectChildren(schema, path, rows, when, depth);
}

function collectChildren(
  schema: JsonSchema,
  path: string,
  rows: FieldRow[],
  when: string | undefined,
  depth: number,
): void {
  const variants = options(schema);
  if (variants) {
    const discriminator = discriminatorOf(variants);
    for (const variant of variants) {
      if (variant.type !== 'object' || !variant.properties) {
        if (variant.type === 'array' && variant.items)
          collectChildren(variant.items, `${path}[]`, rows, when, depth + 1);
        continue;
      }
      const tag = discriminator ? variant.properties[discriminator] : undefined;
      const values = tag?.const !== undefined ? [tag.const] : (tag?.enum ?? []);
      const variantWhen = discriminator ? `${discriminator}: ${values.map((v) => String(v)).join(', ')}` : undefined;
      const label = [when, variantWhen].filter(Boolean).join(', ') || undefined;
      collectObject(variant, path, rows, label, depth, discriminator);
    }
    return;
  }
  if (schema.type === 'array' && schema.items) {
    const items = schema.items;
    if (items.type === 'object' || options(items)) collectChildren(items, `${path}[]`, rows, when, depth + 1);
    return;
  }
  if (schema.type === 'object') {
    if (schema.properties) collectObject(schema, path, rows, when, depth, undefined);
    else if (typeof schema.additionalProperties === 'object' && !isSecretRef(schema.additionalProperties)) {
      const value = schema.additionalProperties;
      if (value.type === 'object' || options(value)) collectChildren(value, `${path}.<name>`, rows, when, depth + 1);
    }
  }
}

function collectObject(
  schema: JsonSchema,
  path: string,
  rows: FieldRow[],
  when: string | undefined,
  depth: number,
  skipKey: string | undefined,
): void {
  const required = new Set(schema.required ?? []);
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const childPath = path === '' ? key : `${path}.${key}`;
    if (key === skipKey) {
      // The discriminator itself: one row per variant is enough to say which values exist.
      rows.push({
        path: childPath,
        ...(when ? { when } : {}),
        type: typeName(child),
        required: required.has(key),
        description: child.description ?? '',
      });
      continue;
    }
    collectRows(child, childPath, required.has(key), rows, when, depth + 1);
  }
}

function renderRows(rows: readonly FieldRow[]): string[] {
  const lines = ['| Field | Type | Required | Default | Description |', '| --- | --- | --- | --- | --- |'];
  for (const row of rows) {
    const field = `${code(row.path)}${row.when ? ` (${row.when})` : ''}`;
    lines.push(
      `| ${cell(field)} | ${cell(row.type)} | ${row.required ? 'yes' : 'no'} | ${cell(row.defaultValue ?? '')} | ${cell(row.description)} |`,
    );
  }
  return lines;
}

function anchorOf(kind: string): string {
  return kind.toLowerCase();
}

/** docs/reference.md: every kind, every field, and an example per kind. Deterministic for the same schemas. */
/**
 * What a document kind does, from the planner's registry (DOCUMENT_KIND_MODULES): `resource` documents become
 * platform resources, `landscape` documents configure Landscape itself. Passed in: lib/config does not see the
 * planner.
 */
export type DocumentRoles = Readonly<Record<Kind, 'resource' | 'landscape'>>;

function whatItIs(kind: Kind, roles: DocumentRoles): string {
  const connection = (RESOURCE_KINDS as Record<string, string>)[kind];
  if (connection) return `a resource on the \`${connection}\` connection`;
  return roles[kind] === 'resource' ? 'renders platform resources' : 'configures Landscape (renders nothing itself)';
}

export function renderReference(examples: ReadonlyMap<Kind, KindExample>, roles: DocumentRoles): string {
  const out: string[] = [];
  const push = (...lines: string[]) => out.push(...lines);
  push(
    '# Configuration reference',
    '',
    `<!-- Generated from the zod schemas in lib/model by \`${REGENERATE_COMMAND}\`: do not edit by hand. -->`,
    '',
    `Every document of a Landscape configuration has \`apiVersion: ${CONFIG_API_VERSION}\`, a \`kind\`, \`metadata\``,
    'and a `spec`. This page lists every kind and every field Landscape reads, generated from the same schemas',
    '`landscape validate` checks with. Cross-field rules (for example "set exactly one of `schema` or `file`") are',
    "in the descriptions and in the loader's messages.",
    '',
    `JSON Schemas of the same documents, for editors: [\`${SCHEMAS_DIR}/\`](schemas/) (one per kind and`,
    `\`${COMBINED_SCHEMA_FILE}\` for all of them), or \`landscape schema --out DIR\`. The README, "Editor support",`,
    'says how to use them.',
    '',
    '## Kinds',
    '',
    '| Kind | What it is | JSON Schema |',
    '| --- | --- | --- |',
  );
  for (const kind of KINDS) {
    push(
      `| [${kind}](#${anchorOf(kind)}) | ${whatItIs(kind, roles)} | [${kindSchemaFileName(kind)}](schemas/${kindSchemaFileName(kind)}) |`,
    );
  }

  const combined = combinedJsonSchema();
  const definitions = combined.definitions ?? {};
  const anyKind = definitions[KINDS[0] as Kind] as JsonSchema;

  push('', '## Every document', '');
  const envelopeRows: FieldRow[] = [];
  for (const [key, child] of Object.entries(anyKind.properties ?? {})) {
    if (key === 'spec') continue;
    const required = (anyKind.required ?? []).includes(key);
    if (key === 'kind') {
      envelopeRows.push({
        path: 'kind',
        type: 'string',
        required: true,
        description: 'The kind of the document (see Kinds)',
      });
      continue;
    }
    collectRows(child, key, required, envelopeRows, undefined);
  }
  envelopeRows.push({
    path: 'spec',
    type: 'object',
    required: true,
    description: 'The fields of the kind, below. A document without `spec` is read as `spec: {}`',
  });
  push(...renderRows(envelopeRows));

  const secretRef = definitions[SECRET_REF_ID];
  if (secretRef) {
    push('', '## Secret references', '');
    if (secretRef.description) push(secretRef.description, '');
    const rows: FieldRow[] = [];
    collectChildren(secretRef, '', rows, undefined, 0);
    push(...renderRows(rows));
    push(
      '',
      'Example: `password: { secretRef: { provider: aws-secretsmanager, name: landscape/production/kafka, key: password } }`',
    );
  }

  for (const kind of KINDS) {
    const schema = definitions[kind] as JsonSchema;
    const spec = schema.properties?.spec as JsonSchema;
    push('', `## ${kind}`, '');
    if (spec.description) push(spec.description, '');
    const resource = (RESOURCE_KINDS as Record<string, string>)[kind];
    if (resource)
      push(`Planned as the \`${kind}\` resource kind on the \`${resource}\` connection of the Environment.`, '');
    const rows: FieldRow[] = [];
    collectChildren(spec, 'spec', rows, undefined, 0);
    if (rows.length === 0) push('No fields.');
    else push(...renderRows(rows));
    const example = examples.get(kind);
    push('');
    if (example) {
      push(`Example (from \`${example.source}\`):`, '', '```yaml', example.yaml.trimEnd(), '```');
    } else {
      push('No example yet.');
    }
    push('', `JSON Schema: [\`${SCHEMAS_DIR}/${kindSchemaFileName(kind)}\`](schemas/${kindSchemaFileName(kind)})`);
  }

  push('', '## Topic configs', '');
  push(
    '`spec.config` of a Topic takes these keys (values as YAML strings, numbers or booleans). Whether the brokers',
    "accept a key and value is checked against the Environment's `kafka.version` (default: the newest listed).",
    '',
    '| Key | Definition |',
    '| --- | --- |',
  );
  for (const key of Object.keys(TOPIC_CONFIG_DEFINITIONS).sort()) {
    push(`| ${code(key)} | ${cell(topicConfigKeyDescription(key))} |`);
  }
  push('');
  return out.join('\n');
}
