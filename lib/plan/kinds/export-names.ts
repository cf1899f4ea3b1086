import { CONFIG_API_VERSION } from '../../model/common.ts';
import type { Kind as DocumentKind } from '../../model/documents.ts';
import type { Inventory, ObservedResource } from '../../model/resource.ts';
import type { KindRules } from '../kind-rules.ts';
import type { ExportedDocument } from './kind-module.ts';

export const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 200);

/** FNV-1a (32 bit) as 8 hex digits: a short, stable fingerprint of a text (not a security hash). */
function fingerprintOf(text: string): string {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * Document names for exported resources: the readable slug of each, and where two resources share a slug
 * (they differ only in case or in characters the slug drops, e.g. users "Alice" and "alice"), each of them
 * gets a fingerprint of its exact identity appended. Every name depends only on the live resources, never on
 * their order, so the same cluster always exports the same names.
 */
export function uniqueNames(
  identities: readonly string[],
  readable: (identity: string) => string,
): Map<string, string> {
  const bySlug = new Map<string, string[]>();
  for (const identity of new Set(identities)) {
    const base = readable(identity) || 'default';
    bySlug.set(base, [...(bySlug.get(base) ?? []), identity]);
  }
  const names = new Map<string, string>();
  for (const [base, group] of bySlug) {
    if (group.length === 1) names.set(group[0] as string, base);
    else for (const identity of group) names.set(identity, `${base}-${fingerprintOf(identity)}`);
  }
  return names;
}

/** The usual export: one document per live resource, named like it, its spec as the kind's rules export it. */
export function exportEach(
  document: DocumentKind,
  rules: KindRules,
): (live: readonly ObservedResource[], inventory: Inventory) => ExportedDocument[] {
  return (live, inventory) =>
    live.map((resource) => ({
      apiVersion: CONFIG_API_VERSION,
      kind: document,
      metadata: { name: resource.name },
      spec: rules.exportSpec ? rules.exportSpec(resource, inventory[resource.key]) : resource.spec,
    }));
}
