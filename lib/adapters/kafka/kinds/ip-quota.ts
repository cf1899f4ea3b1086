import type { alterClientQuotasV1, describeClientQuotasV0 } from '@platformatic/kafka';
import { DEFAULT_IP, IP_QUOTA_KEY, IP_QUOTA_KEY_PREFIX, ipQuotaKey } from '../../../model/kinds/ip-quota.ts';
import type { PlannedChange } from '../../../model/plan.ts';
import type { ObservedResource } from '../../../model/resource.ts';
import { callAdmin, chunk, plural } from '../batch.ts';
import type { KafkaSession } from '../connection.ts';
import { itemErrorText, KafkaResponseError } from '../kafka-errors.ts';
import type { ApplyOptions, ResultBook } from '../results.ts';
import { applyInBatches, reportConfirmed, waitUntilVisible } from './batched.ts';
import { type KafkaKindHandler, unlessUnavailable } from './kafka-kind-handler.ts';

type QuotaEntity = readonly { entityType: string; entityName?: string | null | undefined }[];

interface IpQuotaItem {
  change: PlannedChange;
  ip: string;
  /** Undefined removes the quota (Delete). */
  rate: number | undefined;
}

/** The IP of a live quota entry that is an `ip` entity alone (`<default>` for the default IP), else undefined. */
function ipOf(entity: QuotaEntity): string | undefined {
  if (entity.length !== 1 || entity[0]?.entityType !== 'ip') return undefined;
  return entity[0].entityName ?? DEFAULT_IP;
}

/** Every IP connection-creation quota, with one DescribeClientQuotas request (ip entities only). */
async function readIpQuotas(session: KafkaSession): Promise<ObservedResource[]> {
  const outcome = await callAdmin<
    describeClientQuotasV0.DescribeClientQuotasResponseEntry[],
    { errorCode: number; errorMessage: string | null }
  >(
    // matchType 2: any entity of the type, named or default.
    () => session.admin.describeClientQuotas({ components: [{ entityType: 'ip', matchType: 2 }], strict: false }),
    'DescribeClientQuotas',
    'describing ip quotas',
  );
  if (!outcome.ok) {
    throw new KafkaResponseError('describing ip quotas', outcome.response.errorCode, outcome.response.errorMessage);
  }
  const observed: ObservedResource[] = [];
  for (const entry of outcome.value) {
    const ip = ipOf(entry.entity);
    const rate = entry.values.find((v) => v.key === IP_QUOTA_KEY)?.value;
    if (ip === undefined || rate === undefined) continue;
    observed.push({ key: ipQuotaKey(ip), kind: 'IpQuota', name: ip, spec: { ip, connectionCreationRate: rate } });
  }
  return observed;
}

/** One AlterClientQuotas request for a group: set or remove `connection_creation_rate` per IP. */
async function alterIpQuotas(session: KafkaSession, group: readonly IpQuotaItem[]): Promise<Map<IpQuotaItem, string>> {
  const entries: alterClientQuotasV1.AlterClientQuotasRequestEntry[] = group.map((item) => ({
    entities: [{ entityType: 'ip', entityName: item.ip === DEFAULT_IP ? null : item.ip }],
    ops:
      item.rate === undefined
        ? [{ key: IP_QUOTA_KEY, remove: true }]
        : [{ key: IP_QUOTA_KEY, value: item.rate, remove: false }],
  }));
  // Setting and removing a quota value is idempotent, so the client may retry it.
  const outcome = await callAdmin<unknown, alterClientQuotasV1.AlterClientQuotasResponse>(
    () => session.admin.alterClientQuotas({ entries }),
    'AlterClientQuotas',
    `altering ${plural(group.length, 'ip quota')}`,
  );
  const errors = new Map<string, string>();
  if (!outcome.ok) {
    for (const entry of outcome.response.entries) {
      const ip = ipOf(entry.entity);
      if (ip !== undefined && entry.errorCode !== 0) errors.set(ip, itemErrorText(entry.errorCode, entry.errorMessage));
    }
  }
  const failed = new Map<IpQuotaItem, string>();
  for (const item of group) {
    const error = errors.get(item.ip);
    if (error) failed.set(item, `altering ip quota: ${error}`);
  }
  return failed;
}

async function applyIpQuotas(
  session: KafkaSession,
  changes: readonly PlannedChange[],
  book: ResultBook,
  options: ApplyOptions,
): Promise<void> {
  const start = performance.now();
  const items: IpQuotaItem[] = [];
  for (const change of changes) {
    // Deletes carry no spec: the name is the IP.
    const ip = change.action === 'Delete' ? change.name : change.desired?.ip;
    const rate = change.action === 'Delete' ? undefined : change.desired?.connectionCreationRate;
    if (typeof ip !== 'string' || (change.action !== 'Delete' && typeof rate !== 'number')) {
      book.failed(change, 'altering ip quota: the change carries no ip or rate');
      continue;
    }
    items.push({ change, ip, rate: typeof rate === 'number' ? rate : undefined });
  }
  if (items.length === 0) return;
  const altered = await applyInBatches(
    items,
    {
      label: 'altering ip quotas',
      groups: (all) => chunk(all, options.entityChunkSize),
      send: (group) => alterIpQuotas(session, group),
    },
    book,
    options,
    start,
  );
  const unconfirmed = await waitUntilVisible(
    async () => new Map((await readIpQuotas(session)).map((r) => [r.name, r.spec.connectionCreationRate])),
    altered,
    (item, live) => live.get(item.ip) === item.rate,
    options,
  );
  reportConfirmed(altered, unconfirmed, book, options, start, {
    done: (item) => (item.rate === undefined ? `removed ${IP_QUOTA_KEY}` : `set ${IP_QUOTA_KEY}=${item.rate}`),
    notShown: 'altered ip quota, but the broker did not show it',
  });
}

/** Connection-creation quotas per client IP (KIP-612): DescribeClientQuotas / AlterClientQuotas on `ip`. */
export const ipQuotaHandler: KafkaKindHandler<'IpQuota'> = {
  kind: 'IpQuota',
  observe: ({ session }, declared) => unlessUnavailable(declared, () => readIpQuotas(session)),
  // No batched "describe these N": one read of all IP quotas is cheaper than one request per key.
  async observeKeys({ session }, wanted) {
    if (!wanted.some((k) => k.startsWith(IP_QUOTA_KEY_PREFIX))) return [];
    const wantedKeys = new Set(wanted);
    return (await readIpQuotas(session)).filter((r) => wantedKeys.has(r.key));
  },
  upsert: ({ session }, changes, book, options) =>
    applyIpQuotas(
      session,
      changes.filter((c) => c.action !== 'Delete'),
      book,
      options,
    ),
  delete: ({ session }, changes, book, options) =>
    applyIpQuotas(
      session,
      changes.filter((c) => c.action === 'Delete'),
      book,
      options,
    ),
};
