import type { AclBinding } from '../../lib/model/kinds/acl.ts';

/**
 * What a source tool leaves on the broker for a fixture, written by hand from that tool's documentation (the
 * tools themselves do not run here): the acceptance tests create exactly this with admin calls ("as the tool
 * would apply it"), import the fixture, and plan it against the same broker.
 */
export interface AppliedByTool {
  topics?: { name: string; partitions: number; replicationFactor: number; config?: Record<string, string> }[];
  acls?: AclBinding[];
  quotas?: { user?: string; clientId?: string; values: Record<string, number> }[];
  users?: { name: string; mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; iterations: number }[];
}

/** Fixture names all contain "acme"; each run gives them its own prefix so runs and files never collide. */
export function renamer(prefix: string): (text: string) => string {
  return (text) => text.replaceAll('acme', `${prefix}acme`);
}

/** A literal ACL binding with the defaults every tool uses (allow, any host). */
export function allow(
  principal: string,
  resourceType: AclBinding['resourceType'],
  resourceName: string,
  operations: AclBinding['operation'][],
  patternType: AclBinding['patternType'] = 'literal',
): AclBinding[] {
  return operations.map((operation) => ({
    principal,
    host: '*',
    resourceType,
    resourceName,
    patternType,
    operation,
    permission: 'allow',
  }));
}
