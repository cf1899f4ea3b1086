import type { UnmanagedGrant } from '../model/plan.ts';
import type { ObservedResource } from '../model/resource.ts';

const EXAMPLES = 5;

/**
 * Unmanaged topic ACLs that reach managed topics: a literal `*` (every topic), a literal name of a managed
 * topic, or a prefix that covers one, ALLOW or DENY. Landscape never touches such a grant (it did not create
 * it), but it changes who can use what Landscape manages, so plan and drift name it.
 *
 * @example
 * unmanagedGrants([{ key, kind: 'Acl', name: 'User:x all topic:*', spec: { resourceType: 'topic',
 *   resourceName: '*', patternType: 'literal', ... } }], ['orders']);
 * // [{ key, name: 'User:x all topic:*', examples: ['orders'], topics: 1 }]
 */
export function unmanagedGrants(
  unmanaged: readonly ObservedResource[],
  managedTopics: readonly string[],
): UnmanagedGrant[] {
  const topics = [...new Set(managedTopics)].sort();
  const grants: UnmanagedGrant[] = [];
  for (const resource of unmanaged) {
    if (resource.kind !== 'Acl' || resource.spec.resourceType !== 'topic') continue;
    const name = resource.spec.resourceName;
    if (typeof name !== 'string') continue;
    const reaches =
      resource.spec.patternType === 'prefixed'
        ? (topic: string) => topic.startsWith(name)
        : (topic: string) => name === '*' || topic === name;
    const reached = topics.filter(reaches);
    if (reached.length === 0) continue;
    grants.push({
      key: resource.key,
      name: resource.name,
      examples: reached.slice(0, EXAMPLES),
      topics: reached.length,
    });
  }
  return grants.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
