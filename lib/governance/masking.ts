import { createHash } from 'node:crypto';
import { assertNever } from '../errors.ts';
import type { Json } from '../model/common.ts';
import type { DataPolicySpec, Redaction } from '../model/data-policy.ts';
import { compileFieldPattern, type FieldPattern, matchesFieldPath } from './field-patterns.ts';

/** What `all` redaction shows instead of a value: fixed, so the length of the value is not revealed either. */
export const MASK = '****';

/** One DataPolicy ready to apply: compiled patterns, its redaction and the salt for `hash`. */
export interface MaskingRule {
  policy: string;
  patterns: FieldPattern[];
  redaction: Redaction;
}

/** Redactions from strongest to weakest: when two policies protect one field, the strongest one wins. */
function strength(redaction: Redaction): number {
  switch (redaction.type) {
    case 'all':
      return 0;
    case 'hash':
      return 1;
    case 'last-n':
      return 2 + 1 / redaction.n;
    default:
      return assertNever(redaction, 'redaction type');
  }
}

/** A DataPolicy by name, as documents and the published monitor config both provide it. */
export interface NamedDataPolicy {
  name: string;
  spec: DataPolicySpec;
}

/** Compiles DataPolicies into masking rules, strongest redaction first. */
export function maskingRules(policies: readonly NamedDataPolicy[]): MaskingRule[] {
  return policies
    .map((p) => ({
      policy: p.name,
      patterns: p.spec.fields.map(compileFieldPattern),
      redaction: p.spec.redaction,
    }))
    .sort((a, b) => strength(a.redaction) - strength(b.redaction) || a.policy.localeCompare(b.policy));
}

/** Canonical text of a value for hashing: strings as is, everything else as JSON with sorted keys. */
function canonicalText(value: Json): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/**
 * Masks one value. `null` stays `null` (absence is not the secret). `hash` is SHA-256 hex salted with the
 * policy name, so equal values stay joinable within a policy but not across policies. `last-n` keeps the
 * last n characters of a scalar and stars the rest; a value no longer than n, or an object, is masked whole
 * (showing it would show all of it).
 *
 * @example maskValue('4111111111111111', { type: 'last-n', n: 4 }, 'pii') // '************1111'
 */
export function maskValue(value: Json, redaction: Redaction, policy: string): Json {
  if (value === null) return null;
  switch (redaction.type) {
    case 'all':
      return MASK;
    case 'hash':
      return createHash('sha256').update(`${policy}:`).update(canonicalText(value)).digest('hex');
    case 'last-n': {
      if (typeof value === 'object') return MASK;
      const text = String(value);
      if (text.length <= redaction.n) return MASK;
      return `${'*'.repeat(text.length - redaction.n)}${text.slice(-redaction.n)}`;
    }
    default:
      return assertNever(redaction, 'redaction type');
  }
}

/**
 * Returns a copy of a JSON record with every protected field masked. Matching happens at every node: a
 * matched object or array is masked as a whole, so nothing below it is shown. Arrays are transparent to
 * paths (`items.card` masks the card of every item).
 */
export function maskRecord(record: Json, rules: readonly MaskingRule[]): Json {
  if (rules.length === 0) return record;
  return maskNode(record, [], rules);
}

function maskNode(node: Json, path: string[], rules: readonly MaskingRule[]): Json {
  if (path.length > 0) {
    for (const rule of rules) {
      if (rule.patterns.some((p) => matchesFieldPath(p, path))) return maskValue(node, rule.redaction, rule.policy);
    }
  }
  if (Array.isArray(node)) return node.map((item) => maskNode(item, path, rules));
  if (node !== null && typeof node === 'object') {
    const out: { [key: string]: Json } = {};
    for (const [key, value] of Object.entries(node)) out[key] = maskNode(value, [...path, key], rules);
    return out;
  }
  return node;
}
