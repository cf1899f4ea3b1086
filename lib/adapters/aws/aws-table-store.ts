import { createHash, randomUUID } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { AdapterError, messageOf, StateDamagedError } from '../../errors.ts';
import type { Plan } from '../../model/plan.ts';
import type { Inventory } from '../../model/resource.ts';
import type { Lease } from '../../ports/lock.ts';
import {
  type AppliedPointer,
  type AuditRecord,
  checkInventory,
  checkPlanId,
  INVENTORY_FIX,
  inventoryMissing,
  type PlanStatus,
  planExists,
  type SkippedAuditRecords,
  type StateStore,
  type StoredPlan,
} from '../../ports/state-store.ts';
import { mapLimit } from '../common/concurrency.ts';
import { toAdapterError } from './aws-errors.ts';
import {
  decodeBody,
  encodeBody,
  getLargeValue,
  type Item,
  N,
  putLargeValue,
  S,
  str,
  type TableRef,
  writeFenced,
} from './dynamo-items.ts';
import { envPk, planKey, plansIndexKey, seenKey, TABLE_KEYS, valueKey } from './table-layout.ts';

/** Where plan and report bodies live (S3 in the full store: S3PlanBodies); `doing` names the operation in errors. */
export interface PlanBodies {
  put(key: string, value: unknown, doing: string): Promise<void>;
  get<T>(key: string, doing: string): Promise<T>;
  /** Best effort: never throws. */
  delete(key: string): Promise<void>;
}

/** The append-only audit trail outside the table (S3 Object Lock in the full store: S3AuditTrail). */
export interface AuditTrail {
  append(record: AuditRecord): Promise<void>;
  list(
    environment: string,
    limit: number,
    options: { onSkipped?: (skipped: SkippedAuditRecords) => void },
  ): Promise<AuditRecord[]>;
}

export interface AwsTableStoreOptions {
  /** The single DynamoDB table (ADR 0020). */
  table: string;
  dynamo?: DynamoDBClient;
  /**
   * Plan and report bodies. Absent for a store that keeps only table items (the webhook: replay memory and
   * named values); reading or writing a plan body then fails, naming the missing bucket.
   */
  bodies?: PlanBodies;
  /** Absent: audit records are items of the table, as before the audit bucket existed (emulators without it). */
  audit?: AuditTrail;
  /** Clock for dedupe expiry (tests). */
  now?: () => Date;
}

/** Fields of a StoredPlan that live on the DynamoDB record; `plan` and `report` bodies live in S3. */
type PlanRecordPatch = Partial<Omit<StoredPlan, 'id' | 'status'>>;

/** Delivery ids are short; anything long enough to threaten the 2 KB key limit is hashed. */
const MAX_RAW_SEEN_KEY = 512;
const storedSeenKey = (key: string): string =>
  key.length > MAX_RAW_SEEN_KEY ? `sha256:${createHash('sha256').update(key).digest('hex')}` : key;

/**
 * StateStore on AWS (ADR 0020): plan and report bodies in S3 with SSE-KMS, everything else in one DynamoDB
 * table. The plan record in DynamoDB holds the status, so `updatePlanStatus` is one conditional UpdateItem
 * (compare-and-set, no read first). Bodies are written to S3 before the record points at them, so a record
 * never names a missing object; an object written for a compare-and-set that then loses is deleted again.
 *
 * This module holds the table logic and imports no S3 client, so a function that needs only table items (the
 * webhook) bundles no S3 SDK: AwsStateStore (aws-state-store.ts) is this store with its bodies and audit trail
 * in S3.
 *
 * @example
 * const store = new AwsTableStore({ table: process.env.STATE_TABLE });
 * if (await store.markSeen(`delivery:${id}`, 86_400)) await store.putValue(name, value);
 */
export class AwsTableStore implements StateStore {
  readonly #table: string;
  readonly #dynamo: DynamoDBClient;
  readonly #now: () => Date;
  readonly #bodiesOrNone: PlanBodies | undefined;
  readonly #audit: AuditTrail | undefined;

  constructor(options: AwsTableStoreOptions) {
    this.#table = options.table;
    this.#dynamo = options.dynamo ?? new DynamoDBClient({});
    this.#now = options.now ?? (() => new Date());
    this.#bodiesOrNone = options.bodies;
    this.#audit = options.audit;
  }

  get #bodies(): PlanBodies {
    if (this.#bodiesOrNone === undefined) {
      throw new AdapterError('this function has no state bucket (STATE_BUCKET): it stores no plan bodies');
    }
    return this.#bodiesOrNone;
  }

  get #ref(): TableRef {
    return { dynamo: this.#dynamo, table: this.#table };
  }

  // ---------- plans ----------

  async savePlan(stored: StoredPlan): Promise<void> {
    checkPlanId(stored.id);
    // Bodies under fresh object keys: a save that loses to an existing id must not replace that plan's body.
    const planObject = this.#newObjectKey(stored.id, 'plan');
    await this.#putObject(planObject, stored.plan, `saving plan "${stored.id}"`);
    const written = [planObject];
    let reportObject: string | undefined;
    if (stored.report) {
      reportObject = this.#newObjectKey(stored.id, 'report');
      await this.#putObject(reportObject, stored.report, `saving the report of plan "${stored.id}"`);
      written.push(reportObject);
    }
    const key = planKey(stored.id);
    const item: Item = {
      pk: S(key.pk),
      sk: S(key.sk),
      id: S(stored.id),
      status: S(stored.status),
      planObject: S(planObject),
      ...this.#recordFields(stored.id, { ...stored, plan: stored.plan }),
      rev: N(1),
    };
    if (reportObject) item.reportObject = S(reportObject);
    try {
      await this.#dynamo.send(
        new PutItemCommand({ TableName: this.#table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
    } catch (error) {
      await Promise.all(written.map((k) => this.#deleteObject(k)));
      if (error instanceof ConditionalCheckFailedException) throw planExists(stored.id);
      throw toAdapterError(`saving plan "${stored.id}"`, error);
    }
  }

  async getPlan(id: string): Promise<StoredPlan | undefined> {
    let item: Item | undefined;
    const key = planKey(checkPlanId(id));
    try {
      const out = await this.#dynamo.send(
        new GetItemCommand({ TableName: this.#table, Key: { pk: S(key.pk), sk: S(key.sk) }, ConsistentRead: true }),
      );
      item = out.Item;
    } catch (error) {
      throw toAdapterError(`reading plan "${id}"`, error);
    }
    return item ? this.#hydrate(item) : undefined;
  }

  async updatePlanStatus(
    id: string,
    from: PlanStatus[],
    to: PlanStatus,
    patch: Partial<StoredPlan> = {},
    fence?: Lease,
  ): Promise<boolean> {
    checkPlanId(id);
    if (from.length === 0) return false;
    const written: string[] = [];
    const names: Record<string, string> = { '#status': 'status', '#rev': 'rev' };
    const values: Item = { ':to': S(to), ':one': N(1) };
    const sets = ['#status = :to', '#rev = #rev + :one'];
    const set = (attribute: string, value: Item[string]) => {
      names[`#${attribute}`] = attribute;
      values[`:${attribute}`] = value;
      sets.push(`#${attribute} = :${attribute}`);
    };
    if (patch.plan) {
      const key = this.#newObjectKey(id, 'plan');
      await this.#putObject(key, patch.plan, `saving plan "${id}"`);
      written.push(key);
      set('planObject', S(key));
    }
    if (patch.report) {
      const key = this.#newObjectKey(id, 'report');
      await this.#putObject(key, patch.report, `saving the report of plan "${id}"`);
      written.push(key);
      set('reportObject', S(key));
    }
    for (const [attribute, value] of Object.entries(this.#recordFields(id, patch))) set(attribute, value);
    from.forEach((status, i) => {
      values[`:from${i}`] = S(status);
    });
    const key = planKey(id);
    const update = {
      TableName: this.#table,
      Key: { pk: S(key.pk), sk: S(key.sk) },
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: `attribute_exists(pk) AND #status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
    const doing = `moving plan "${id}" to "${to}"`;
    try {
      if (fence) {
        if (await writeFenced(this.#ref, fence, [{ Update: update }], doing)) return true;
        await Promise.all(written.map((k) => this.#deleteObject(k)));
        return false;
      }
      await this.#dynamo.send(new UpdateItemCommand(update));
      return true;
    } catch (error) {
      await Promise.all(written.map((k) => this.#deleteObject(k)));
      if (error instanceof ConditionalCheckFailedException) return false;
      if (fence) throw error;
      throw toAdapterError(doing, error);
    }
  }

  async listPlans(environment: string, options: { status?: PlanStatus[]; limit?: number } = {}): Promise<StoredPlan[]> {
    const { status, limit } = options;
    if (status && status.length === 0) return [];
    const records: Item[] = [];
    let startKey: Item | undefined;
    const values: Item = { ':pk': S(plansIndexKey(environment)) };
    status?.forEach((s, i) => {
      values[`:s${i}`] = S(s);
    });
    do {
      try {
        const out = await this.#dynamo.send(
          new QueryCommand({
            TableName: this.#table,
            IndexName: TABLE_KEYS.gsi1.name,
            KeyConditionExpression: 'gsi1pk = :pk',
            ...(status
              ? {
                  FilterExpression: `#status IN (${status.map((_, i) => `:s${i}`).join(', ')})`,
                  ExpressionAttributeNames: { '#status': 'status' },
                }
              : {}),
            ExpressionAttributeValues: values,
            ScanIndexForward: false,
            ExclusiveStartKey: startKey,
          }),
        );
        records.push(...(out.Items ?? []));
        startKey = out.LastEvaluatedKey;
      } catch (error) {
        throw toAdapterError(`listing plans of environment "${environment}"`, error);
      }
    } while (startKey && (limit === undefined || records.length < limit));
    const wanted = limit === undefined ? records : records.slice(0, limit);
    return mapLimit(wanted, 8, (item) => this.#hydrate(item));
  }

  // ---------- inventory and applied pointer ----------

  async getInventory(environment: string): Promise<Inventory> {
    const doing = `reading the inventory of environment "${environment}"`;
    const where = `table "${this.#table}" item ${envPk(environment)} / INVENTORY`;
    const stored = await getLargeValue<unknown>(this.#ref, envPk(environment), 'INVENTORY', doing, INVENTORY_FIX);
    if (stored !== undefined) return checkInventory(stored, where);
    // Absent is fine for an environment never applied; after an apply it means the item was lost.
    const applied = await this.getApplied(environment);
    if (applied) throw inventoryMissing(where, applied);
    return {};
  }

  async saveInventory(environment: string, inventory: Inventory, fence?: Lease): Promise<void> {
    const doing = `saving the inventory of environment "${environment}"`;
    await putLargeValue(this.#ref, envPk(environment), 'INVENTORY', inventory, doing, fence);
  }

  async getApplied(environment: string): Promise<AppliedPointer | undefined> {
    let item: Item | undefined;
    try {
      const out = await this.#dynamo.send(
        new GetItemCommand({
          TableName: this.#table,
          Key: { pk: S(envPk(environment)), sk: S('APPLIED') },
          ConsistentRead: true,
        }),
      );
      item = out.Item;
    } catch (error) {
      throw toAdapterError(`reading the applied commit of environment "${environment}"`, error);
    }
    try {
      return decodeBody<AppliedPointer>(item);
    } catch (error) {
      throw new StateDamagedError(
        `table "${this.#table}" item ${envPk(environment)} / APPLIED`,
        `does not decode: ${messageOf(error)}`,
        'delete the item: the next successful apply records the applied commit again',
      );
    }
  }

  async setApplied(pointer: AppliedPointer, fence?: Lease): Promise<void> {
    const doing = `recording the applied commit of environment "${pointer.environment}"`;
    const put = {
      TableName: this.#table,
      Item: {
        pk: S(envPk(pointer.environment)),
        sk: S('APPLIED'),
        commit: S(pointer.commit),
        planId: S(pointer.planId),
        at: S(pointer.at),
        data: S(JSON.stringify(pointer)),
      },
    };
    if (fence) {
      await writeFenced(this.#ref, fence, [{ Put: put }], doing);
      return;
    }
    try {
      await this.#dynamo.send(new PutItemCommand(put));
    } catch (error) {
      throw toAdapterError(doing, error);
    }
  }

  // ---------- audit ----------

  async appendAudit(record: AuditRecord): Promise<void> {
    if (this.#audit) return this.#audit.append(record);
    let body = encodeBody(record);
    if (!body) {
      // A record with tens of thousands of changes: keep the summary, say what was dropped.
      const dropped = record.changes?.length ?? 0;
      const { changes: _omitted, ...rest } = record;
      body = encodeBody({
        ...rest,
        message: `${record.message ? `${record.message}; ` : ''}${dropped} changes not stored`,
      });
    }
    if (!body) throw new AdapterError(`recording audit "${record.id}": record is too large to store`);
    try {
      await this.#dynamo.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: {
            pk: S(envPk(record.environment)),
            sk: S(`AUDIT#${record.at}#${record.id}`),
            type: S(record.type),
            outcome: S(record.outcome),
            ...body,
          },
        }),
      );
    } catch (error) {
      throw toAdapterError(`recording audit "${record.id}" of environment "${record.environment}"`, error);
    }
  }

  async listAudit(
    environment: string,
    limit = 100,
    options: { onSkipped?: (skipped: SkippedAuditRecords) => void } = {},
  ): Promise<AuditRecord[]> {
    if (!this.#audit) return this.#listTableAudit(environment, limit, options);
    // Records written before the audit bucket existed stay in the table (read-only now): the newest `limit`
    // of each, merged newest first. One bounded Query more per listing; nothing is migrated or deleted.
    const [objects, items] = await Promise.all([
      this.#audit.list(environment, limit, options),
      this.#listTableAudit(environment, limit, options),
    ]);
    if (items.length === 0) return objects;
    const time = (record: AuditRecord) => Date.parse(record.at);
    return [...objects, ...items]
      .sort((a, b) => time(b) - time(a) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .slice(0, limit);
  }

  async #listTableAudit(
    environment: string,
    limit: number,
    options: { onSkipped?: (skipped: SkippedAuditRecords) => void },
  ): Promise<AuditRecord[]> {
    const records: AuditRecord[] = [];
    const damaged: string[] = [];
    let startKey: Item | undefined;
    do {
      try {
        const out = await this.#dynamo.send(
          new QueryCommand({
            TableName: this.#table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': S(envPk(environment)), ':prefix': S('AUDIT#') },
            ScanIndexForward: false,
            Limit: limit - records.length,
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of out.Items ?? []) {
          try {
            const record = decodeBody<AuditRecord>(item);
            if (record) records.push(record);
            else damaged.push(str(item, 'sk') ?? '?');
          } catch {
            // An item whose body does not decode (edited by hand): listed as skipped, never fatal.
            damaged.push(str(item, 'sk') ?? '?');
          }
        }
        startKey = out.LastEvaluatedKey;
      } catch (error) {
        throw toAdapterError(`listing audit records of environment "${environment}"`, error);
      }
    } while (startKey && records.length < limit);
    if (damaged.length > 0) {
      const table = `table "${this.#table}" ${envPk(environment)}`;
      options.onSkipped?.({ count: damaged.length, where: `${table} ${damaged.slice(0, 5).join(', ')}` });
    }
    return records;
  }

  // ---------- webhook dedupe and small values ----------

  async markSeen(key: string, ttlSeconds: number): Promise<boolean> {
    const stored = storedSeenKey(key);
    const nowSeconds = Math.floor(this.#now().getTime() / 1000);
    const k = seenKey(stored);
    try {
      await this.#dynamo.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: { pk: S(k.pk), sk: S(k.sk), ttl: N(nowSeconds + Math.max(1, Math.ceil(ttlSeconds))) },
          // TTL deletion is lazy: an expired item may still be there, and then it does not count.
          ConditionExpression: 'attribute_not_exists(pk) OR #ttl <= :now',
          ExpressionAttributeNames: { '#ttl': TABLE_KEYS.ttl },
          ExpressionAttributeValues: { ':now': N(nowSeconds) },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw toAdapterError(`recording delivery "${key}"`, error);
    }
  }

  async forgetSeen(key: string): Promise<void> {
    const k = seenKey(storedSeenKey(key));
    try {
      await this.#dynamo.send(new DeleteItemCommand({ TableName: this.#table, Key: { pk: S(k.pk), sk: S(k.sk) } }));
    } catch (error) {
      throw toAdapterError(`forgetting delivery "${key}"`, error);
    }
  }

  async getValue<T>(name: string): Promise<T | undefined> {
    const k = valueKey(name);
    return getLargeValue<T>(this.#ref, k.pk, k.sk, `reading value "${name}"`);
  }

  async putValue<T>(name: string, value: T): Promise<void> {
    const k = valueKey(name);
    await putLargeValue(this.#ref, k.pk, k.sk, value, `saving value "${name}"`);
  }

  // ---------- helpers ----------

  /** Record attributes for the patchable fields (all but `id`, `status` and the S3 bodies). */
  #recordFields(id: string, patch: PlanRecordPatch): Item {
    const fields: Item = {};
    if (patch.plan) {
      fields.environment = S(patch.plan.environment);
      fields.planHash = S(patch.plan.hash);
      if (patch.plan.source.commit) fields.commit = S(patch.plan.source.commit);
    }
    if (patch.createdAt !== undefined) fields.createdAt = S(patch.createdAt);
    if (patch.plan && patch.createdAt !== undefined) {
      fields.gsi1pk = S(plansIndexKey(patch.plan.environment));
      fields.gsi1sk = S(`${patch.createdAt}#${id}`);
    }
    if (patch.trigger !== undefined) fields.trigger = S(patch.trigger);
    if (patch.actor !== undefined) fields.actor = S(patch.actor);
    if (patch.approval !== undefined) fields.approval = S(JSON.stringify(patch.approval));
    return fields;
  }

  async #hydrate(item: Item): Promise<StoredPlan> {
    const id = str(item, 'id') ?? '';
    const planObject = str(item, 'planObject');
    const reportObject = str(item, 'reportObject');
    if (!planObject) throw new AdapterError(`reading plan "${id}": the record names no plan object`);
    const [plan, report] = await Promise.all([
      this.#getObject<Plan>(planObject, `reading plan "${id}"`),
      reportObject
        ? this.#getObject<StoredPlan['report']>(reportObject, `reading the report of plan "${id}"`)
        : undefined,
    ]);
    const stored: StoredPlan = {
      id,
      plan,
      status: str(item, 'status') as PlanStatus,
      createdAt: str(item, 'createdAt') ?? '',
      trigger: str(item, 'trigger') ?? '',
    };
    const actor = str(item, 'actor');
    if (actor !== undefined) stored.actor = actor;
    const approval = str(item, 'approval');
    if (approval) stored.approval = JSON.parse(approval) as NonNullable<StoredPlan['approval']>;
    if (report) stored.report = report;
    return stored;
  }

  #newObjectKey(id: string, what: 'plan' | 'report'): string {
    return `plans/${encodeURIComponent(id)}/${what}-${Date.now().toString(36)}-${randomUUID().slice(0, 8)}.json`;
  }

  async #putObject(key: string, value: unknown, doing: string): Promise<void> {
    return this.#bodies.put(key, value, doing);
  }

  async #getObject<T>(key: string, doing: string): Promise<T> {
    return this.#bodies.get<T>(key, doing);
  }

  async #deleteObject(key: string): Promise<void> {
    return this.#bodies.delete(key);
  }
}
