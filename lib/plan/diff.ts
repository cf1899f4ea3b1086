import { isSecretRef, type Json, type JsonObject } from '../model/common.ts';
import type { FieldChange } from '../model/plan.ts';
import { jsonEqual } from './canonical-json.ts';

const isObject = (value: Json | undefined): value is JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Differences in the fields the desired side declares; fields only the live side has are ignored
 * (server defaults are never diffs). Secret references are never compared here: kinds with secrets
 * decide "changed"/"unchanged" themselves.
 */
export function diffDeclared(desired: JsonObject, live: JsonObject, prefix = ''): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const key of Object.keys(desired).sort()) {
    const want = desired[key];
    const have = live[key];
    const path = prefix ? `${prefix}.${key}` : key;
    if (want === undefined || isSecretRef(want)) continue;
    if (isObject(want) && isObject(have)) {
      changes.push(...diffDeclared(want, have, path));
    } else if (!jsonEqual(want, have)) {
      changes.push({ path, ...(have !== undefined ? { before: have } : {}), after: want });
    }
  }
  return changes;
}

/** Every leaf of a spec as "after" values: what a Create shows. Secret references show as references. */
export function leafFields(spec: JsonObject, prefix = ''): FieldChange[] {
  const fields: FieldChange[] = [];
  for (const key of Object.keys(spec).sort()) {
    const value = spec[key];
    const path = prefix ? `${prefix}.${key}` : key;
    if (value === undefined) continue;
    if (isSecretRef(value)) {
      const ref = value.secretRef;
      fields.push({ path, after: `secret ${ref.provider}/${ref.name}${ref.key ? `#${ref.key}` : ''}`, secret: true });
    } else if (isObject(value) && Object.keys(value).length > 0) {
      fields.push(...leafFields(value, path));
    } else {
      fields.push({ path, after: value });
    }
  }
  return fields;
}
