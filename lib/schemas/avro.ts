import avsc from 'avsc';
import { isPlainObject, parseJsonText, sortKeysDeep } from './json-text.ts';
import type { SchemaInput, SchemaParseResult, SchemaProblem } from './types.ts';

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const NAMED = new Set(['record', 'error', 'enum', 'fixed']);
/** Parsing Canonical Form order for the attributes it keeps; every other attribute follows, sorted. */
const KEY_ORDER = ['name', 'type', 'fields', 'symbols', 'items', 'values', 'size'];

/**
 * Parses an Avro schema (JSON text or an object), checks it with avsc and returns its canonical text.
 *
 * The canonical form follows Avro's Parsing Canonical Form where it does not lose meaning: full names instead of
 * `namespace` + short name, `{"type": "string"}` written as `"string"`, attributes in a fixed order, no whitespace,
 * the default `"order": "ascending"` dropped. Unlike PCF it keeps `default`, `doc`, `aliases`, logical types and
 * custom properties, because the text is also what gets registered. `comparableAvro` drops documentation for
 * comparisons.
 *
 * `referenceNames` are the full names of types defined by referenced subjects: they are accepted as known names.
 *
 * @example
 * normalizeAvro('{"type":"record","namespace":"shop","name":"Order","fields":[{"name":"id","type":{"type":"string"}}]}', [])
 * // { ok: true, canonical: '{"name":"shop.Order","type":"record","fields":[{"name":"id","type":"string"}]}' }
 */
export function normalizeAvro(input: SchemaInput, referenceNames: readonly string[]): SchemaParseResult {
  let schema: unknown = input;
  if (typeof input === 'string') {
    const parsed = parseJsonText(input);
    if (!parsed.ok) return { ok: false, problems: [{ ...parsed.problem, hint: 'an Avro schema is JSON' }] };
    schema = parsed.value;
  }
  const problem = checkWithAvsc(schema, referenceNames, typeof input === 'string' ? input : undefined);
  if (problem) return { ok: false, problems: [problem] };
  return { ok: true, canonical: JSON.stringify(normalizeNode(schema, '')) };
}

function checkWithAvsc(schema: unknown, referenceNames: readonly string[], text: string | undefined) {
  const registry: Record<string, avsc.Type> = {};
  for (const name of referenceNames) {
    try {
      // A stand-in for a type defined in another subject, so that its name resolves here.
      avsc.Type.forSchema({ type: 'record', name, fields: [] }, { registry });
    } catch {
      // Not an Avro name (some registries use file names as reference names): nothing to stand in for.
    }
  }
  try {
    // avsc may annotate what it is given: check a copy.
    avsc.Type.forSchema(structuredClone(schema) as avsc.Schema, { registry });
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const undefinedName = /undefined type name: (\S+)/.exec(message)?.[1];
    const at = undefinedName && text ? locateString(text, undefinedName) : undefined;
    const problem: SchemaProblem = { message: `not a valid Avro schema: ${message}`, ...(at ?? {}) };
    if (undefinedName) {
      problem.hint = `define "${undefinedName}" in this schema, or list the subject that defines it in spec.references (name: "${undefinedName}")`;
    }
    return problem;
  }
}

function locateString(text: string, name: string): { line: number; column: number } | undefined {
  const short = name.split('.').at(-1) ?? name;
  for (const candidate of [`"${name}"`, `"${short}"`]) {
    const index = text.indexOf(candidate);
    if (index >= 0) {
      const lines = text.slice(0, index).split('\n');
      return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
    }
  }
  return undefined;
}

const fullName = (name: string, namespace: string): string =>
  name.includes('.') || namespace === '' ? name : `${namespace}.${name}`;
const namespaceOf = (full: string): string => (full.includes('.') ? full.slice(0, full.lastIndexOf('.')) : '');

function ordered(entries: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of KEY_ORDER) if (entries[key] !== undefined) out[key] = entries[key];
  for (const key of Object.keys(entries).sort()) {
    if (!KEY_ORDER.includes(key) && entries[key] !== undefined) out[key] = entries[key];
  }
  return out;
}

/** Normalizes one schema node; `namespace` is the enclosing namespace for relative names. */
function normalizeNode(node: unknown, namespace: string): unknown {
  if (typeof node === 'string') return PRIMITIVES.has(node) ? node : fullName(node, namespace);
  if (Array.isArray(node)) return node.map((branch) => normalizeNode(branch, namespace));
  if (!isPlainObject(node)) return node;
  const { type, ...rest } = node;
  if (typeof type !== 'string') {
    // `{"type": {...}}` or `{"type": [...]}`: the attributes around a nested type are kept.
    const inner = normalizeNode(type, namespace);
    return Object.keys(rest).length === 0 ? inner : ordered({ ...props(rest), type: inner });
  }
  if (PRIMITIVES.has(type)) return Object.keys(rest).length === 0 ? type : ordered({ ...props(rest), type });
  if (NAMED.has(type)) {
    const { name, namespace: ownNamespace, fields, aliases, ...others } = rest;
    const full = fullName(String(name), typeof ownNamespace === 'string' ? ownNamespace : namespace);
    const inner = namespaceOf(full);
    const out: Record<string, unknown> = { ...props(others), name: full, type };
    if (Array.isArray(aliases)) out.aliases = aliases.map((alias) => fullName(String(alias), inner));
    if (Array.isArray(fields)) out.fields = fields.map((field) => normalizeField(field, inner));
    return ordered(out);
  }
  if (type === 'array') return ordered({ ...props(rest), type, items: normalizeNode(rest.items, namespace) });
  if (type === 'map') return ordered({ ...props(rest), type, values: normalizeNode(rest.values, namespace) });
  // A reference to a named type written as {"type": "Name"}.
  const reference = fullName(type, namespace);
  return Object.keys(rest).length === 0 ? reference : ordered({ ...props(rest), type: reference });
}

function normalizeField(field: unknown, namespace: string): unknown {
  if (!isPlainObject(field)) return field;
  const { name, type, order, ...rest } = field;
  const out: Record<string, unknown> = { ...props(rest), name, type: normalizeNode(type, namespace) };
  if (order !== undefined && order !== 'ascending') out.order = order;
  const result: Record<string, unknown> = { name: out.name, type: out.type };
  for (const key of Object.keys(out).sort()) if (key !== 'name' && key !== 'type') result[key] = out[key];
  return result;
}

/** Attribute values other than nested schemas (defaults, docs, custom properties): keys sorted for stability. */
function props(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) out[key] = sortKeysDeep(value);
  return out;
}

/**
 * The canonical text without documentation (`doc`, `aliases`): what decides whether a new version is needed.
 * Registries treat documentation-only edits as the same schema (Apicurio returns the existing version for them),
 * so comparing with docs would plan a change that can never be applied.
 */
export function comparableAvro(canonical: string): string {
  try {
    return JSON.stringify(stripDocs(JSON.parse(canonical)));
  } catch {
    return canonical;
  }
}

function stripDocs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripDocs);
  if (!isPlainObject(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'doc' || key === 'aliases') continue;
    if (key === 'fields' && Array.isArray(value)) out[key] = value.map(stripDocs);
    else if (key === 'type' || key === 'items' || key === 'values') out[key] = stripDocs(value);
    else out[key] = value; // defaults and custom properties are data, not schemas
  }
  return out;
}

/**
 * Every field of every record, keyed `Record.field`, with its comparable definition: the basis of a
 * human summary of what a new version changes.
 */
export function avroFieldSignatures(canonical: string): Map<string, string> {
  const signatures = new Map<string, string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const branch of node) visit(branch);
      return;
    }
    if (!isPlainObject(node)) return;
    if ((node.type === 'record' || node.type === 'error') && Array.isArray(node.fields)) {
      const record = String(node.name);
      for (const field of node.fields) {
        if (!isPlainObject(field)) continue;
        signatures.set(`${record.split('.').at(-1)}.${String(field.name)}`, JSON.stringify(stripDocs(field)));
        visit(field.type);
      }
      return;
    }
    visit(node.type);
    visit(node.items);
    visit(node.values);
  };
  try {
    visit(JSON.parse(canonical));
  } catch {
    // not JSON: no field-level summary
  }
  return signatures;
}

/** `record shop.Order (4 fields)`, `enum shop.Status (3 symbols)`, `string`. */
export function describeAvro(canonical: string): string {
  try {
    const node = JSON.parse(canonical) as unknown;
    if (typeof node === 'string') return node;
    if (Array.isArray(node)) return `union of ${node.length}`;
    if (isPlainObject(node)) {
      if (Array.isArray(node.fields)) return `record ${String(node.name)} (${node.fields.length} fields)`;
      if (Array.isArray(node.symbols)) return `enum ${String(node.name)} (${node.symbols.length} symbols)`;
      return String(node.name ?? node.type);
    }
  } catch {
    // fall through
  }
  return 'schema';
}
