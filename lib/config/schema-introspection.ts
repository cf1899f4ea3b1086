import type { z } from 'zod';

// biome-ignore lint/suspicious/noExplicitAny: zod's internal definition objects are untyped at this level.
type AnyDef = any;

/** Unwraps optional/default/pipe layers to the schema that holds the value. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current: AnyDef = schema;
  for (let i = 0; i < 10; i++) {
    const def = current?._zod?.def;
    if (!def) return current;
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault')
      current = def.innerType;
    else if (def.type === 'pipe') current = def.in;
    else return current;
  }
  return current;
}

/**
 * The field names an object schema accepts at `path` (for "did you mean" on unknown fields). Unions
 * contribute the keys of every option.
 */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let candidates: z.ZodType[] = [schema];
  for (const segment of path) {
    const next: z.ZodType[] = [];
    for (const candidate of candidates.flatMap(expandUnions)) {
      const def: AnyDef = (unwrap(candidate) as AnyDef)._zod?.def;
      if (!def) continue;
      if (def.type === 'object' && typeof segment === 'string' && def.shape[segment]) next.push(def.shape[segment]);
      else if (def.type === 'array') next.push(def.element);
      else if (def.type === 'record') next.push(def.valueType);
    }
    candidates = next;
  }
  const keys = new Set<string>();
  for (const candidate of candidates.flatMap(expandUnions)) {
    const def: AnyDef = (unwrap(candidate) as AnyDef)._zod?.def;
    if (def?.type === 'object') for (const key of Object.keys(def.shape)) keys.add(key);
  }
  return [...keys];
}

function expandUnions(schema: z.ZodType): z.ZodType[] {
  const inner = unwrap(schema);
  const def: AnyDef = (inner as AnyDef)._zod?.def;
  if (def?.type === 'union') return (def.options as z.ZodType[]).flatMap(expandUnions);
  return [inner];
}
