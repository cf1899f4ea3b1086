import { applyAclChanges } from '../apply-acls.ts';
import { ACL_KEY_PREFIX } from '../normalize.ts';
import { readAcls } from '../read-state.ts';
import { type KafkaKindHandler, unlessUnavailable } from './kafka-kind-handler.ts';

/** ACL bindings: DescribeAcls to read (all at once), CreateAcls and DeleteAcls in chunks. */
export const aclHandler: KafkaKindHandler<'Acl'> = {
  kind: 'Acl',
  observe: ({ session, aclsEnforced }, declared) =>
    aclsEnforced ? unlessUnavailable(declared, () => readAcls(session)) : Promise.resolve([]),
  // ACLs have no batched "describe these N" request: one read of all of them is cheaper than one per key.
  async observeKeys({ session, aclsEnforced }, wanted) {
    if (!aclsEnforced || !wanted.some((k) => k.startsWith(ACL_KEY_PREFIX))) return [];
    const wantedKeys = new Set(wanted);
    return (await readAcls(session)).filter((r) => wantedKeys.has(r.key));
  },
  upsert: ({ session }, changes, book, options) => applyAclChanges(session, changes, book, options, 'upsert'),
  delete: ({ session }, changes, book, options) => applyAclChanges(session, changes, book, options, 'delete'),
};
