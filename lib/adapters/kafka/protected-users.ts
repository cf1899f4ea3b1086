import type { KafkaConnection } from '../../model/environment.ts';
import type { ObservedResource } from '../../model/resource.ts';
import { observedUser } from './normalize.ts';

const OWN_PRINCIPAL = 'the principal Landscape connects as';
const SUPER_USER = 'a broker super-user (spec.kafka.superUsers)';

/**
 * The SCRAM users the cluster reserves, with the reason: the user Landscape authenticates as, and the
 * brokers' super-users. Changing or deleting their credentials could lock the operators (or Landscape
 * itself) out of the cluster, and adopting them through an export would make a later prune delete them.
 *
 * Super-users come from the Environment: a broker reports `super.users` as a sensitive config (it is not
 * one of its own typed configs), so it can not be read over the protocol.
 */
export function protectedUsers(connection: KafkaConnection): Map<string, string> {
  const reasons = new Map<string, string[]>();
  const add = (name: string, reason: string) => reasons.set(name, [...(reasons.get(name) ?? []), reason]);
  if (connection.sasl && 'username' in connection.sasl) add(connection.sasl.username, OWN_PRINCIPAL);
  for (const name of new Set(connection.superUsers ?? [])) add(name, SUPER_USER);
  return new Map([...reasons].map(([name, why]) => [name, why.join(' and ')]));
}

/**
 * Marks the observed users the cluster reserves (`protectedBy`), and with `addAbsent` adds the reserved ones
 * that have no SCRAM credentials (a super-user that authenticates another way): a config that declares one
 * of them is refused by name, not planned as a Create.
 */
export function markProtectedUsers(
  users: readonly ObservedResource[],
  reserved: ReadonlyMap<string, string>,
  addAbsent = true,
): ObservedResource[] {
  const marked = users.map((user) => {
    const reason = reserved.get(user.name);
    return reason === undefined ? user : { ...user, protectedBy: reason };
  });
  if (!addAbsent) return marked;
  const present = new Set(users.map((u) => u.name));
  for (const [name, reason] of reserved) {
    if (!present.has(name)) marked.push({ ...observedUser(name, { mechanisms: {} }), protectedBy: reason });
  }
  return marked;
}
