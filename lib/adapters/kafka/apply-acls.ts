import {
  type Acl as ClientAcl,
  type AclFilter as ClientAclFilter,
  type createAclsV3,
  type deleteAclsV3,
  ResourcePatternTypes,
  ResourceTypes,
} from '@platformatic/kafka';
import { messageOf } from '../../errors.ts';
import { keys } from '../../model/keys.ts';
import type { AclBinding } from '../../model/kinds/acl.ts';
import type { PlannedChange } from '../../model/plan.ts';
import type { ObservedResource } from '../../model/resource.ts';
import { callAdmin, chunk, mapLimit, packByWeight, plural, sleep } from './batch.ts';
import type { KafkaSession } from './connection.ts';
import { itemErrorText } from './kafka-errors.ts';
import { applyInBatches } from './kinds/batched.ts';
import { aclBindingOf, fromClientAcl, toClientAcl } from './normalize.ts';
import { describeAllAcls, readAcls } from './read-state.ts';
import { type ApplyOptions, type ResultBook, since, waitBudgetMs, withinText } from './results.ts';

/**
 * Applies Acl changes: one CreateAcls per chunk for every new binding, DeleteAcls with as few filters as
 * cover exactly the removed bindings (see `coveringFilters`), then waits until the authorizer lists the new
 * bindings and no longer lists the removed ones. A binding is its own key, so there is nothing to update.
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

/**
 * KRaft refuses a DeleteAcls that would remove more bindings than this ("Cannot remove more than 10000 acls
 * in a single delete operation", MAX_RECORDS_PER_USER_OP).
 */
const MAX_ACLS_PER_DELETE = 10_000;

/** Matches every binding: narrowed per deletion filter below. */
const ANY_ACL_FILTER: ClientAclFilter = {
  resourceType: ResourceTypes.ANY,
  resourceName: null,
  resourcePatternType: ResourcePatternTypes.ANY,
  principal: null,
  host: null,
  operation: 1, // AclOperations.ANY
  permissionType: 1, // AclPermissionTypes.ANY
};

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
  const created = await applyInBatches(
    items,
    {
      label: 'creating acls',
      groups: (all) => chunk(all, options.aclChunkSize),
      async send(group) {
        // CreateAcls is idempotent (an existing binding is not an error), so the client may retry it.
        const outcome = await callAdmin<void, createAclsV3.CreateAclsResponse>(
          () => session.admin.createAcls({ creations: group.map(({ binding }) => toClientAcl(binding)) }),
          'CreateAcls',
          `creating ${plural(group.length, 'acl')}`,
        );
        const refused = new Map<(typeof items)[number], string>();
        group.forEach((item, index) => {
          // Results come back in request order (CreateAcls has no other way to pair them).
          const answer = outcome.ok ? undefined : outcome.response.results[index];
          if (answer && answer.errorCode !== 0) {
            refused.set(item, `creating acl: ${itemErrorText(answer.errorCode, answer.errorMessage)}`);
          }
        });
        return refused;
      },
    },
    book,
    options,
    start,
  );

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

/** One DeleteAcls filter and the changes whose bindings it removes. */
interface DeletionFilter {
  filter: ClientAclFilter;
  items: { change: PlannedChange; binding: AclBinding }[];
}

/**
 * The fewest filters that delete exactly `items`, given every live binding. The controller scans every ACL
 * for every filter (KRaft AclControlManager), so 20,000 exact filters against 20,000 ACLs take minutes; one
 * filter per principal (when all of that principal's bindings go) or per principal and resource (when all
 * of those go) does the same in a fraction of a second. Anything else gets an exact filter.
 */
export function coveringFilters(
  items: readonly { change: PlannedChange; binding: AclBinding }[],
  live: readonly ClientAcl[],
  maxPerRequest = MAX_ACLS_PER_DELETE,
): DeletionFilter[] {
  const doomed = new Set(items.map((i) => keys.acl(i.binding)));
  // A group can be deleted with one broad filter only if every live binding in it is doomed; a binding the
  // model can not express (user resources, token operations) always keeps its group on exact filters.
  const principalSafe = new Map<string, boolean>();
  const resourceSafe = new Map<string, boolean>();
  const principalCount = new Map<string, number>();
  for (const { binding } of items)
    principalCount.set(binding.principal, (principalCount.get(binding.principal) ?? 0) + 1);
  for (const acl of live) {
    const binding = fromClientAcl(acl);
    const isDoomed = binding !== undefined && doomed.has(keys.acl(binding));
    principalSafe.set(acl.principal, (principalSafe.get(acl.principal) ?? true) && isDoomed);
    if (binding) {
      const resource = resourceGroup(binding);
      resourceSafe.set(resource, (resourceSafe.get(resource) ?? true) && isDoomed);
    }
  }
  const byPrincipal = new Map<string, DeletionFilter>();
  const byResource = new Map<string, DeletionFilter>();
  const filters: DeletionFilter[] = [];
  for (const item of items) {
    const { binding } = item;
    // The broker refuses to remove more than MAX_ACLS_PER_DELETE bindings in one request.
    if (
      principalSafe.get(binding.principal) === true &&
      (principalCount.get(binding.principal) ?? 0) <= maxPerRequest
    ) {
      let filter = byPrincipal.get(binding.principal);
      if (!filter) {
        filter = { filter: { ...ANY_ACL_FILTER, principal: binding.principal }, items: [] };
        byPrincipal.set(binding.principal, filter);
        filters.push(filter);
      }
      filter.items.push(item);
      continue;
    }
    const resource = resourceGroup(binding);
    if (resourceSafe.get(resource) === true) {
      let filter = byResource.get(resource);
      if (!filter) {
        const exact = toClientAcl(binding);
        filter = {
          filter: {
            ...ANY_ACL_FILTER,
            principal: binding.principal,
            resourceType: exact.resourceType,
            resourceName: exact.resourceName,
            resourcePatternType: exact.resourcePatternType,
          },
          items: [],
        };
        byResource.set(resource, filter);
        filters.push(filter);
      }
      filter.items.push(item);
      continue;
    }
    // An exact filter (no ANY values) matches exactly this binding and nothing else.
    filters.push({ filter: toClientAcl(binding), items: [item] });
  }
  return filters;
}

/** Whether a deletion filter (exact, per principal and resource, or per principal) matches a live ACL. */
function filterCovers(filter: ClientAclFilter, acl: ClientAcl): boolean {
  if (filter.principal !== null && filter.principal !== undefined && filter.principal !== acl.principal) return false;
  if (filter.resourceName === null || filter.resourceName === undefined) return true;
  return (
    filter.resourceName === acl.resourceName &&
    filter.resourceType === acl.resourceType &&
    filter.resourcePatternType === acl.resourcePatternType
  );
}

function resourceGroup(b: AclBinding): string {
  return JSON.stringify([b.principal, b.resourceType, b.patternType, b.resourceName]);
}

async function deleteAcls(
  session: KafkaSession,
  changes: readonly PlannedChange[],
  book: ResultBook,
  options: ApplyOptions,
): Promise<void> {
  if (changes.length === 0) return;
  const start = performance.now();
  let liveAcls: ClientAcl[];
  try {
    liveAcls = await describeAllAcls(session);
  } catch (error) {
    for (const change of changes) book.failed(change, messageOf(error));
    return;
  }
  const live = new Map<string, AclBinding>();
  for (const acl of liveAcls) {
    const binding = fromClientAcl(acl);
    if (binding) live.set(keys.acl(binding), binding);
  }
  const items: { change: PlannedChange; binding: AclBinding }[] = [];
  for (const change of changes) {
    const binding = live.get(change.key) ?? aclBindingOf(change.desired);
    if (!binding || !live.has(keys.acl(binding))) book.succeeded(change, 'already absent', since(start));
    else items.push({ change, binding });
  }
  const doomed = new Set(items.map((i) => keys.acl(i.binding)));
  const deleted: typeof items = [];
  // Bindings a broad filter removed although they were not in the plan (created by someone else between our
  // read and the delete), per filter: they are put back right away and the changes say so.
  const outsiders = new Map<DeletionFilter, ClientAcl[]>();
  let done = 0;
  const filters = coveringFilters(items, liveAcls);
  const requests = packByWeight(filters, options.aclChunkSize, MAX_ACLS_PER_DELETE, (f) => f.items.length);
  await mapLimit(requests, options.concurrency, async (group) => {
    const count = group.reduce((n, f) => n + f.items.length, 0);
    try {
      const outcome = await callAdmin<ClientAcl[], deleteAclsV3.DeleteAclsResponse>(
        () => session.admin.deleteAcls({ filters: group.map((f) => f.filter) }),
        'DeleteAcls',
        `deleting ${plural(count, 'acl')}`,
      );
      const matched = outcome.ok ? outcome.value : outcome.response.filterResults.flatMap((r) => r.matchingAcls);
      for (const acl of matched) {
        const binding = fromClientAcl(acl);
        if (binding && doomed.has(keys.acl(binding))) continue;
        const filter = group.find((f) => filterCovers(f.filter, acl));
        if (!filter) continue;
        const list = outsiders.get(filter) ?? [];
        list.push(acl);
        outsiders.set(filter, list);
      }
      group.forEach((filter, index) => {
        const answer = outcome.ok ? undefined : outcome.response.filterResults[index];
        if (answer && answer.errorCode !== 0) {
          const text = `deleting acl: ${itemErrorText(answer.errorCode, answer.errorMessage)}`;
          for (const item of filter.items) book.failed(item.change, text);
          return;
        }
        const failedKeys = new Map<string, string>();
        for (const m of answer?.matchingAcls ?? []) {
          const binding = m.errorCode !== 0 ? fromClientAcl(m) : undefined;
          if (binding) failedKeys.set(keys.acl(binding), itemErrorText(m.errorCode, m.errorMessage));
        }
        for (const item of filter.items) {
          const error = failedKeys.get(item.change.key);
          if (error) book.failed(item.change, `deleting acl: ${error}`);
          else deleted.push(item);
        }
      });
    } catch (error) {
      for (const filter of group) {
        for (const { change } of filter.items) book.failed(change, messageOf(error), since(start));
      }
    }
    done += count;
    options.progress?.({ phase: 'kafka: deleting acls', done, total: items.length });
  });

  const restoredNote = new Map<PlannedChange, string>();
  const toRestore = [...outsiders.values()].flat();
  if (toRestore.length > 0) {
    let restoreError: string | undefined;
    try {
      const outcome = await callAdmin<void, createAclsV3.CreateAclsResponse>(
        () => session.admin.createAcls({ creations: toRestore }),
        'CreateAcls',
        `restoring ${plural(toRestore.length, 'acl')} created by someone else during the delete`,
      );
      const failed = outcome.ok ? [] : outcome.response.results.filter((r) => r.errorCode !== 0);
      if (failed[0]) restoreError = itemErrorText(failed[0].errorCode, failed[0].errorMessage);
    } catch (error) {
      restoreError = messageOf(error);
    }
    for (const [filter, acls] of outsiders) {
      for (const { change } of filter.items) {
        if (restoreError) {
          book.failed(
            change,
            `deleted acl, but the same request also removed ${plural(acls.length, 'binding')} created by someone else meanwhile and could not put them back: ${restoreError}`,
          );
        } else {
          restoredNote.set(change, `; put back ${plural(acls.length, 'binding')} created by someone else meanwhile`);
        }
      }
    }
  }

  const lingering = await waitForAcls(
    session,
    deleted.map(({ change }) => change.key),
    false,
    options,
  );
  for (const { change } of deleted) {
    book.succeeded(
      change,
      (lingering?.has(change.key) ? 'deleted (the broker still listed it when the wait ended)' : 'deleted') +
        (restoredNote.get(change) ?? ''),
      since(start),
    );
  }
}
