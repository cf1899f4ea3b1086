import { Ajv, type ErrorObject, type Options } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { isPlainObject, parseJsonText, sortKeysDeep } from './json-text.ts';
import type { SchemaInput, SchemaParseResult, SchemaProblem } from './types.ts';

const AJV_OPTIONS: Options = {
  // Registries accept vendor keywords (javaType, connect.*): strict mode would reject them.
  strict: false,
  allErrors: true,
  // Formats are annotations unless ajv-formats is loaded; they are not what this check is about.
  validateFormats: false,
  logger: false,
};

/** The validator for the draft a schema declares; undefined for drafts ajv 8 does not implement (04 and older). */
function ajvFor(schema: Record<string, unknown>): Ajv | undefined {
  const draft = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (draft.includes('2020-12')) return new Ajv2020(AJV_OPTIONS);
  if (draft.includes('2019-09')) return new Ajv2019(AJV_OPTIONS);
  if (/draft-0[0-4]\b/.test(draft)) return undefined;
  return new Ajv(AJV_OPTIONS);
}

/**
 * Parses a JSON Schema (JSON text or an object), checks it against its draft's meta-schema with ajv and returns
 * the canonical text: object keys sorted at every level, no whitespace (arrays keep their order).
 *
 * `referenceNames` are the `$ref` targets provided by referenced subjects: they resolve to stand-ins here.
 * Drafts 04 and older are only checked for JSON syntax (ajv 8 does not implement them).
 *
 * @example
 * normalizeJsonSchema('{ "type": "object", "properties": { "b": {}, "a": {} } }', [])
 * // { ok: true, canonical: '{"properties":{"a":{},"b":{}},"type":"object"}' }
 */
export function normalizeJsonSchema(input: SchemaInput, referenceNames: readonly string[]): SchemaParseResult {
  let schema: unknown = input;
  if (typeof input === 'string') {
    const parsed = parseJsonText(input);
    if (!parsed.ok) return { ok: false, problems: [parsed.problem] };
    schema = parsed.value;
  }
  if (!isPlainObject(schema) && typeof schema !== 'boolean') {
    return { ok: false, problems: [{ message: 'a JSON Schema must be an object (or true/false)' }] };
  }
  if (isPlainObject(schema)) {
    const problems = checkWithAjv(schema, referenceNames);
    if (problems.length > 0) return { ok: false, problems };
  }
  return { ok: true, canonical: JSON.stringify(sortKeysDeep(schema)) };
}

function checkWithAjv(schema: Record<string, unknown>, referenceNames: readonly string[]): SchemaProblem[] {
  const ajv = ajvFor(schema);
  if (!ajv) return [];
  const copy = structuredClone(schema);
  if (ajv.validateSchema(copy) === false) {
    // One problem per place: `anyOf` alternatives (type: "strin" is neither a name nor an array) say the same thing.
    const firstPerPath = new Map<string, ErrorObject>();
    for (const error of ajv.errors ?? []) {
      if (error.keyword !== 'anyOf' && !firstPerPath.has(error.instancePath))
        firstPerPath.set(error.instancePath, error);
    }
    return [...firstPerPath.values()].map(metaProblem);
  }
  for (const name of referenceNames) {
    try {
      ajv.addSchema({}, name);
    } catch {
      // the same name twice, or not a usable URI: the registry resolves it, not this check
    }
  }
  try {
    ajv.compile(copy);
    return [];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const missing = (error as { missingRef?: string }).missingRef;
    if (missing !== undefined) {
      if (referenceNames.length > 0) return []; // resolved by the registry through spec.references
      return [
        {
          message: `unresolved $ref "${missing}"`,
          hint: 'define it under $defs, or list the subject that provides it in spec.references (name: the $ref)',
        },
      ];
    }
    return [{ message: `not a valid JSON Schema: ${message}` }];
  }
}

function metaProblem(error: ErrorObject): SchemaProblem {
  const where = error.instancePath === '' ? 'at the root' : `at ${error.instancePath}`;
  const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
  return {
    message: `not a valid JSON Schema ${where}: ${error.message ?? error.keyword}${allowed ? ` (${allowed.map((v) => JSON.stringify(v)).join(', ')})` : ''}`,
  };
}

/** Every property (nested too), keyed by its dotted path, with its definition: for change summaries. */
export function jsonSchemaPropertySignatures(canonical: string): Map<string, string> {
  const signatures = new Map<string, string>();
  const visit = (node: unknown, prefix: string): void => {
    if (!isPlainObject(node)) return;
    if (isPlainObject(node.properties)) {
      for (const [name, definition] of Object.entries(node.properties)) {
        const path = prefix ? `${prefix}.${name}` : name;
        signatures.set(path, JSON.stringify(definition));
        visit(definition, path);
      }
    }
    if (Array.isArray(node.required))
      signatures.set(prefix ? `${prefix}.(required)` : '(required)', JSON.stringify(node.required));
    if (isPlainObject(node.items)) visit(node.items, `${prefix}[]`);
  };
  try {
    visit(JSON.parse(canonical), '');
  } catch {
    // not JSON: no summary
  }
  return signatures;
}

/** `object "Order" (5 properties)`. */
export function describeJsonSchema(canonical: string): string {
  try {
    const node = JSON.parse(canonical) as unknown;
    if (!isPlainObject(node)) return String(node);
    const title = typeof node.title === 'string' ? ` "${node.title}"` : '';
    const count = isPlainObject(node.properties) ? ` (${Object.keys(node.properties).length} properties)` : '';
    return `${typeof node.type === 'string' ? node.type : 'schema'}${title}${count}`;
  } catch {
    return 'schema';
  }
}
