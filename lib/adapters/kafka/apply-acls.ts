import type { createAclsV3, deleteAclsV3 } from '@platformatic/kafka';
import { messageOf } from '../../errors.ts';
import type { AclBinding } from '../../model/acl.ts';
import { keys } from '../../model/keys.ts';
import type { PlannedChange } from '../../model/plan.ts';
import type { ObservedResource } from '../../model/resource.ts';
import { callAdmin, chunk, mapLimited, plural, sleep } from './batch.ts';
import type { KafkaSession } from './connection.ts';
import { itemErrorText } from './kafka-errors.ts';
import { aclBindingOf, toClientAcl } from './normalize.ts';
import { readAcls } from './read-state.ts';
import { type ApplyOptions, type ResultBook, since, waitBudgetMs, withinText } from './results.ts';

/**
 * Applies Acl changes: one CreateAcls per chunk for every new binding and one DeleteAcls per chunk with an
 * exact filter per removed binding. A binding is its own key, so there is nothing to update.
 *
 * Deletes carry no spec, and a key can not be parsed back reliably (principals and group names may contain
 * `/`), so the bindings to delete are looked up in one DescribeAcls of the live state.
 */
export async function applyAclChanges(
  session: KafkaSession,
  changes: readonly PlannedChange[],
  book: ResultBook,
  options: ApplyOptions,
  phase: 'upsert' | 'delete',
): Promise<void> {
  if (phase === 'upsert') {
    for (const change of changes.filter((c) => c.action === 'Update')) {
      book.skipped(change, 'an acl binding has no fields to update: it is created or deleted as a whole');
    }
    await createAcls(
      session,
      changes.filter((c) => c.action === 'Create'),
      book,
      options,
    );
  } else {
    await deleteAcls(
      session,
      changes.filter((c) => c.action === 'Delete'),
      book,
      options,
    );
  }
}

async function createAcls(
  session: KafkaSession,
  changes: readonly PlannedChange[],
  book: ResultBook,
  options: ApplyOptions,
): Promise<void> {
  if (changes.length === 0) return;
  const start = performance.now();
  const items: { change: PlannedChange; binding: AclBinding }[] = [];
  for (const change of changes) {
    const binding = aclBindingOf(change.desired);
    if (!binding) book.failed(change, 'creating acl: the change carries no valid acl binding');
    else items.push({ change, binding });
  }
  const created: typeof items = [];
  let done = 0;
  await mapLimited(chunk(items, options.aclChunkSize), options.concurrency, async (group) => {
    try {
      // CreateAcls is idempotent (an existing binding is not an error), so the client may retry it.
      const outcome = await callAdmin<void, createAclsV3.CreateAclsResponse>(
        () => session.admin.createAcls({ creations: group.map(({ binding }) => toClientAcl(binding)) }),
        'CreateAcls',
        `creating ${plural(group.length, 'acl')}`,
      );
      group.forEach((item, index) => {
        // Results come back in request order (CreateAcls has no other way to pair them).
        const answer = outcome.ok ? undefined : outcome.response.results[index];
        if (answer && answer.errorCode !== 0) {
          book.failed(item.change, `creating acl: ${itemErrorText(answer.errorCode, answer.errorMessage)}`);
        } else created.push(item);
      });
    } catch (error) {
      for (const { change } of group) book.failed(change, messageOf(error), since(start));
    }
    done += group.length;
    options.progress?.({ phase: 'kafka: creating acls', done, total: items.length });
  });

  const missing = await waitForAcls(
    session,
    created.map(({ change }) => change.key),
    true,
    options,
  );
  for (const { change } of created) {
    if (missing === undefined) book.succeeded(change, 'created (not yet confirmed by a read)', since(start));
    else if (missing.has(change.key)) {
      book.failed(
        change,
        `created acl, but the broker did not list it ${withinText(waitBudgetMs(options, created.length))}`,
      );
    } else book.succeeded(change, 'created', since(start));
  }
}

/**
 * Polls DescribeAcls until every key in `wanted` is listed (`present`) or gone (`!present`): the authorizer
 * that enforces ACLs is what answers it, so "listed" means "enforced". Returns the keys not there yet at the
 * deadline, or undefined when reading failed.
 */
async function waitForAcls(
  session: KafkaSession,
  wanted: readonly string[],
  present: boolean,
  options: ApplyOptions,
): Promise<Set<string> | undefined> {
  const progress = options.progress;
  let pending = new Set(wanted);
  const deadline = performance.now() + waitBudgetMs(options, wanted.length);
  let delay = 50;
  while (pending.size > 0) {
    let live: ObservedResource[];
    try {
      live = await readAcls(session);
    } catch {
      return undefined;
    }
    const liveKeys = new Set(live.map((r) => r.key));
    pending = new Set([...pending].filter((key) => liveKeys.has(key) !== present));
    progress?.({
      phase: present ? 'kafka: waiting for acls to be listed' : 'kafka: waiting for deleted acls to go',
      done: wanted.length - pending.size,
      total: wanted.length,
    });
    if (pending.size === 0 || performance.now() >= deadline) break;
    await sleep(delay);
    delay = Math.min(delay * 2, 500);
  }
  return pending;
}

async function deleteAcls(
  session: KafkaSession,
  changes: readonly PlannedChange[],
  book: ResultBook,
  options: ApplyOptions,
): Promise<void> {
  if (changes.length === 0) return;
  const start = performance.now();
  let live: Map<string, AclBinding>;
  try {
    live = new Map(
      (await readAcls(session)).flatMap((r) => {
        const binding = aclBindingOf(r.spec);
        return binding ? [[r.key, binding] as const] : [];
      }),
    );
  } catch (error) {
    for (const change of changes) book.failed(change, messageOf(error));
    return;
  }
  const items: { change: PlannedChange; binding: AclBinding }[] = [];
  for (const change of changes) {
    const binding = live.get(change.key) ?? aclBindingOf(change.desired);
    if (!binding || !live.has(keys.acl(binding))) book.succeeded(change, 'already absent', since(start));
    else items.push({ change, binding });
  }
  const deleted: typeof items = [];
  let done = 0;
  await mapLimited(chunk(items, options.aclChunkSize), options.concurrency, async (group) => {
    try {
      // An exact filter (no ANY/MATCH values) matches exactly this binding and nothing else.
      const outcome = await callAdmin<unknown, deleteAclsV3.DeleteAclsResponse>(
        () => session.admin.deleteAcls({ filters: group.map(({ binding }) => toClientAcl(binding)) }),
        'DeleteAcls',
        `deleting ${plural(group.length, 'acl')}`,
      );
      group.forEach((item, index) => {
        const answer = outcome.ok ? undefined : outcome.response.filterResults[index];
        const matchError = answer?.matchingAcls.find((m) => m.errorCode !== 0);
        if (answer && answer.errorCode !== 0) {
          book.failed(item.change, `deleting acl: ${itemErrorText(answer.errorCode, answer.errorMessage)}`);
        } else if (matchError) {
          book.failed(item.change, `deleting acl: ${itemErrorText(matchError.errorCode, matchError.errorMessage)}`);
        } else deleted.push(item);
      });
    } catch (error) {
      for (const { change } of group) book.failed(change, messageOf(error), since(start));
    }
    done += group.length;
    options.progress?.({ phase: 'kafka: deleting acls', done, total: items.length });
  });

  const lingering = await waitForAcls(
    session,
    deleted.map(({ change }) => change.key),
    false,
    options,
  );
  for (const { change } of deleted) {
    book.succeeded(
      change,
      lingering?.has(change.key) ? 'deleted (the broker still listed it when the wait ended)' : 'deleted',
      since(start),
    );
  }
}
