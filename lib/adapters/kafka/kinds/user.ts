import type { PlannedChange } from '../../../model/plan.ts';
import { applyUserChanges } from '../apply-users.ts';
import { USER_KEY_PREFIX } from '../normalize.ts';
import { markProtectedUsers } from '../protected-users.ts';
import { readUsers } from '../read-state.ts';
import type { ResultBook } from '../results.ts';
import {
  type KafkaKindContext,
  type KafkaKindHandler,
  namesWithPrefix,
  unlessUnavailable,
} from './kafka-kind-handler.ts';

/** The planner refuses reserved users; a plan stored by an older version may still name one. */
function allowed(context: KafkaKindContext, changes: readonly PlannedChange[], book: ResultBook): PlannedChange[] {
  return changes.filter((c) => {
    const reason = context.reservedUsers.get(c.name);
    if (reason === undefined) return true;
    book.skipped(c, `user "${c.name}" is ${reason}: Landscape never changes it`);
    return false;
  });
}

/** SCRAM users: DescribeUserScramCredentials to read, AlterUserScramCredentials in chunks. */
export const userHandler: KafkaKindHandler<'User'> = {
  kind: 'User',
  // Reserved users without credentials only matter to a config that declares users (it is refused).
  observe: async (context, declared) =>
    markProtectedUsers(
      await unlessUnavailable(declared, () => readUsers(context.session, null)),
      context.reservedUsers,
      declared,
    ),
  async observeKeys({ session }, wanted) {
    const names = namesWithPrefix(wanted, USER_KEY_PREFIX);
    return names.length > 0 ? readUsers(session, names) : [];
  },
  upsert: (context, changes, book, options, secrets) =>
    applyUserChanges(context.session, allowed(context, changes, book), book, options, secrets, 'upsert'),
  delete: (context, changes, book, options, secrets) =>
    applyUserChanges(context.session, allowed(context, changes, book), book, options, secrets, 'delete'),
};
