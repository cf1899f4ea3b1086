/**
 * Field and topic patterns of DataPolicies, shared by the plan-time lineage check and the record masker so
 * that "protected" means the same thing in both places.
 *
 * Field patterns (case-insensitive, because SQL dialects fold identifier case and a leak through `EMAIL`
 * is still a leak):
 * - `email`: a single name matches that field at any depth (`email`, `customer.email`, `items[].email`).
 * - `customer.email`: a dotted path is anchored at the record root.
 * - `*` inside a segment is a glob within that segment (`card.*`, `*_ssn`); a `**` segment matches any
 *   number of segments (`**.iban`).
 * Arrays are transparent: `items.sku` applies to the `sku` of every element of `items`.
 *
 * Topic patterns are case-sensitive (Kafka topic names are), with `*` matching any run of characters.
 */

import { globMatches } from '../model/glob.ts';

/** A compiled field pattern: one matcher per segment, `null` for a `**` segment. */
export interface FieldPattern {
  readonly source: string;
  readonly segments: readonly (SegmentMatcher | null)[];
}

/** Matches one field name; globs are matched in linear time (lib/model/glob.ts), not as regular expressions. */
type SegmentMatcher = { test(name: string): boolean };

function globSegment(segment: string): SegmentMatcher {
  return { test: (name) => globMatches(segment, name, { ignoreCase: true }) };
}

export function compileFieldPattern(pattern: string): FieldPattern {
  const parts = pattern.split('.').filter((p) => p.length > 0);
  const segments = parts.map((p) => (p === '**' ? null : globSegment(p)));
  // A bare name is unanchored: it matches at any depth.
  const anchored = parts.length > 1 || parts[0] === '**' ? segments : [null, ...segments];
  return { source: pattern, segments: anchored };
}

/** True when `path` (field names from the record root, no array indices) is matched by the pattern. */
export function matchesFieldPath(pattern: FieldPattern, path: readonly string[]): boolean {
  return matchFrom(pattern.segments, 0, path, 0);
}

function matchFrom(
  segments: readonly (SegmentMatcher | null)[],
  si: number,
  path: readonly string[],
  pi: number,
): boolean {
  if (si === segments.length) return pi === path.length;
  const segment = segments[si];
  if (segment === null) {
    for (let skip = pi; skip <= path.length; skip++) if (matchFrom(segments, si + 1, path, skip)) return true;
    return false;
  }
  if (segment === undefined || pi >= path.length) return false;
  return segment.test(path[pi] as string) && matchFrom(segments, si + 1, path, pi + 1);
}

/**
 * True when copying the value at `path` carries a field the pattern protects: the path itself matches, or
 * it is an ancestor of fields the pattern could match (copying `customer` copies `customer.email`; copying
 * the whole record, `[]`, copies everything). For an unanchored single name the schema would be needed to
 * tell whether an ancestor holds such a field, so only the whole record counts.
 */
export function pathCarriesProtectedField(pattern: FieldPattern, path: readonly string[]): boolean {
  if (path.length === 0) return true;
  if (matchesFieldPath(pattern, path)) return true;
  return isPrefixOfMatch(pattern.segments, 0, path, 0);
}

function isPrefixOfMatch(
  segments: readonly (SegmentMatcher | null)[],
  si: number,
  path: readonly string[],
  pi: number,
): boolean {
  if (pi === path.length) {
    // Every path segment was consumed and pattern segments remain: something below `path` may match. An
    // unanchored pattern whose remaining part is only a name would need the schema; see the TSDoc above.
    if (si >= segments.length) return false;
    return !(si === 0 && segments[0] === null);
  }
  if (si === segments.length) return false;
  const segment = segments[si];
  if (segment === null) {
    // `**` may swallow the rest of the path; but an unanchored leading `**` says nothing about ancestors.
    if (si === 0) return false;
    for (let skip = pi; skip <= path.length; skip++) if (isPrefixOfMatch(segments, si + 1, path, skip)) return true;
    return false;
  }
  if (segment === undefined) return false;
  return segment.test(path[pi] as string) && isPrefixOfMatch(segments, si + 1, path, pi + 1);
}

/** Topic pattern match: exact, or `*` globs (`payments.*`, `*`). */
export function topicMatches(pattern: string, topic: string): boolean {
  if (!pattern.includes('*')) return pattern === topic;
  return globMatches(pattern, topic);
}

/** The DataPolicies (documents or `{ name, spec }`) whose `topics` cover `topic`, in the given order. */
export function policiesCovering<T extends { spec: { topics: readonly string[] } }>(
  policies: readonly T[],
  topic: string,
): T[] {
  return policies.filter((p) => p.spec.topics.some((pattern) => topicMatches(pattern, topic)));
}
