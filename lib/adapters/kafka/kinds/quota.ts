import type { alterClientQuotasV1 } from '@platformatic/kafka';
import { messageOf } from '../../../errors.ts';
import type { JsonObject } from '../../../model/common.ts';
import { keys } from '../../../model/keys.ts';
import type { PlannedChange } from '../../../model/plan.ts';
import { callAdmin, chunk, plural } from '../batch.ts';
import type { KafkaSession } from '../connection.ts';
import { itemErrorText } from '../kafka-errors.ts';
import {
  DEFAULT_QUOTA_ENTITY,
  MANAGED_QUOTA_KEYS,
  QUOTA_KEY_PREFIX,
  type QuotaEntity,
  quotaEntityOf,
  quotaEntityOfSpec,
} from '../normalize.ts';
import { readQuotas } from '../read-state.ts';
import { type ApplyOptions, type ResultBook, since } from '../results.ts';
import { applyInBatches, reportConfirmed, waitUntilVisible } from './batched.ts';
import { type KafkaKindHandler, unlessUnavailable } from './kafka-kind-handler.ts';

type QuotaEntry = alterClientQuotasV1.AlterClientQuotasRequestEntry;
type QuotaOp = alterClientQuotasV1.AlterClientQuotasRequestOp;
type QuotaKeyName = QuotaOp['key'];

interface QuotaItem {
  change: PlannedChange;
  entity: QuotaEntity;
  set: Record<string, number>;
  remove: string[];
}

/**
 * Applies Quota changes with one AlterClientQuotas request per chunk. Create/Update set every desired value
 * and remove the values the plan drops (a FieldChange `values.<key>` with no `after`); Delete removes all of
 * the entity's managed values, which removes the entity's quota altogether.
 */
async function applyQuotaChanges(
  session: KafkaSession,
  changes: readonly PlannedChange[],
  book: ResultBook,
  options: ApplyOptions,
  phase: 'upsert' | 'delete',
): Promise<void> {
  const start = performance.now();
  const items: QuotaItem[] = [];
  if (phase === 'upsert') {
    for (const change of changes.filter((c) => c.action !== 'Delete')) {
      const entity = quotaEntityOfSpec(change.desired);
      if (!entity) {
        book.failed(change, 'altering quota: the change carries no quota entity');
        continue;
      }
      const set = valuesOf(change.desired);
      const remove = change.fields
        .filter((f) => f.path.startsWith('values.') && f.after === undefined)
        .map((f) => f.path.slice('values.'.length))
        .filter((key) => !(key in set));
      items.push({ change, entity, set, remove });
    }
  } else {
    const deletes = changes.filter((c) => c.action === 'Delete');
    if (deletes.length === 0) return;
    // Deletes carry no spec: read the live entities (one request) to know what to remove.
    let live: Map<string, { entity: QuotaEntity; values: string[] }>;
    try {
      live = new Map(
        (await readQuotas(session)).flatMap((r) => {
          const entity = quotaEntityOfSpec(r.spec);
          return entity ? [[r.key, { entity, values: Object.keys(valuesOf(r.spec)) }] as const] : [];
        }),
      );
    } catch (error) {
      for (const change of deletes) book.failed(change, messageOf(error));
      return;
    }
    for (const change of deletes) {
      const current = live.get(change.key);
      if (!current || current.values.length === 0) book.succeeded(change, 'already absent', since(start));
      else items.push({ change, entity: current.entity, set: {}, remove: current.values });
    }
  }
  if (items.length === 0) return;

  const altered = await applyInBatches(
    items,
    {
      label: 'altering quotas',
      groups: (all) => chunk(all, options.entityChunkSize),
      send: (group) => alterQuotas(session, group),
    },
    book,
    options,
    start,
  );
  const unconfirmed = await waitUntilVisible(
    async () => new Map((await readQuotas(session)).map((r) => [r.key, valuesOf(r.spec)])),
    altered,
    (item, live) => {
      // The broker that answers enforces quotas from the same metadata, so "shown" means "in force".
      const values = live.get(keys.quota(item.entity)) ?? {};
      const setShown = Object.entries(item.set).every(([key, value]) => values[key] === value);
      const removedGone = item.remove.every((key) => values[key] === undefined);
      return setShown && removedGone;
    },
    options,
  );
  reportConfirmed(altered, unconfirmed, book, options, start, {
    done: describeQuotaChange,
    notShown: 'altered quota, but the broker did not show it',
  });
}

/** One AlterClientQuotas request for a group: set every value given, remove the others named. */
async function alterQuotas(session: KafkaSession, group: readonly QuotaItem[]): Promise<Map<QuotaItem, string>> {
  const entries: QuotaEntry[] = group.map((item) => ({
    entities: entitiesOf(item.entity),
    ops: [
      ...Object.entries(item.set).map(([key, value]): QuotaOp => ({ key: key as QuotaKeyName, value, remove: false })),
      ...item.remove.map((key): QuotaOp => ({ key: key as QuotaKeyName, remove: true })),
    ],
  }));
  // Setting and removing quota values is idempotent, so the client may retry it.
  const outcome = await callAdmin<unknown, alterClientQuotasV1.AlterClientQuotasResponse>(
    () => session.admin.alterClientQuotas({ entries }),
    'AlterClientQuotas',
    `altering ${plural(group.length, 'quota')}`,
  );
  const errors = new Map<string, string>();
  if (!outcome.ok) {
    for (const entry of outcome.response.entries) {
      const entity = quotaEntityOf(entry.entity);
      if (entity && entry.errorCode !== 0) {
        errors.set(keys.quota(entity), itemErrorText(entry.errorCode, entry.errorMessage));
      }
    }
  }
  const failed = new Map<QuotaItem, string>();
  for (const item of group) {
    const error = errors.get(keys.quota(item.entity));
    if (error) failed.set(item, `altering quota: ${error}`);
  }
  return failed;
}

function valuesOf(spec: JsonObject | undefined): Record<string, number> {
  const values = spec?.values;
  const result: Record<string, number> = {};
  if (typeof values !== 'object' || values === null || Array.isArray(values)) return result;
  for (const key of MANAGED_QUOTA_KEYS) {
    const value = values[key];
    if (typeof value === 'number') result[key] = value;
  }
  return result;
}

function entitiesOf(entity: QuotaEntity): QuotaEntry['entities'] {
  const entities: QuotaEntry['entities'] = [];
  // `<default>` is how the model names the default entity; the protocol says null.
  if (entity.user !== undefined) {
    entities.push({ entityType: 'user', entityName: entity.user === DEFAULT_QUOTA_ENTITY ? null : entity.user });
  }
  if (entity.clientId !== undefined) {
    entities.push({
      entityType: 'client-id',
      entityName: entity.clientId === DEFAULT_QUOTA_ENTITY ? null : entity.clientId,
    });
  }
  return entities;
}

function describeQuotaChange(item: QuotaItem): string {
  if (item.change.action === 'Delete') return `removed ${item.remove.join(', ')}`;
  const parts: string[] = [];
  const set = Object.entries(item.set).map(([key, value]) => `${key}=${value}`);
  if (set.length > 0) parts.push(`set ${set.join(', ')}`);
  if (item.remove.length > 0) parts.push(`removed ${item.remove.join(', ')}`);
  return parts.join('; ') || 'nothing to change';
}

/** Client quotas on users and client ids (AlterClientQuotas / DescribeClientQuotas). */
export const quotaHandler: KafkaKindHandler<'Quota'> = {
  kind: 'Quota',
  observe: ({ session }, declared) => unlessUnavailable(declared, () => readQuotas(session)),
  // Quotas have no batched "describe these N" request: one read of all of them is cheaper than one per key.
  async observeKeys({ session }, wanted) {
    if (!wanted.some((k) => k.startsWith(QUOTA_KEY_PREFIX))) return [];
    const wantedKeys = new Set(wanted);
    return (await readQuotas(session)).filter((r) => wantedKeys.has(r.key));
  },
  upsert: ({ session }, changes, book, options) => applyQuotaChanges(session, changes, book, options, 'upsert'),
  delete: ({ session }, changes, book, options) => applyQuotaChanges(session, changes, book, options, 'delete'),
};
