import { alterUserScramCredentialsV0 } from '@platformatic/kafka';
import { messageOf } from '../../errors.ts';
import { type DesiredScramCredential, desiredCredentialsOf } from '../../model/kinds/user.ts';
import type { PlannedChange } from '../../model/plan.ts';
import type { SecretResolver } from '../../ports/secret-resolver.ts';
import { callApi, chunk, plural, sleep } from './batch.ts';
import type { KafkaSession } from './connection.ts';
import { itemErrorText } from './kafka-errors.ts';
import { applyInBatches } from './kinds/batched.ts';
import { SCRAM_MECHANISM_CODE, type ScramMechanismName, scramMechanismName, USER_KEY_PREFIX } from './normalize.ts';
import { describeScramCredentials } from './read-state.ts';
import { type ApplyOptions, type ResultBook, since, waitBudgetMs, withinText } from './results.ts';
import { computeScramCredential } from './scram.ts';

type Upsertion = alterUserScramCredentialsV0.AlterUserScramCredentialsRequestUpsertions;
type Deletion = alterUserScramCredentialsV0.AlterUserScramCredentialsRequestDeletions;

const RESOURCE_NOT_FOUND = 91;

interface PreparedUpsert {
  mechanism: ScramMechanismName;
  iterations: number;
  upsertion: Upsertion;
}

interface UserItem {
  change: PlannedChange;
  name: string;
  upserts: PreparedUpsert[];
  deletions: Deletion[];
}

/**
 * Applies User (SCRAM credential) changes with AlterUserScramCredentials, which the high-level Admin does
 * not offer. A managed user ends with exactly the declared credentials: for Create every declared mechanism
 * is set, for Update those the plan changes (iterations, password, missing live); each password is resolved
 * from its secret reference, salted and hashed here (RFC 5802) and only the salted password is sent.
 * Credentials of any mechanism the user has but does not declare are removed in the same apply, so an old
 * or out-of-band password never keeps working. Delete removes every mechanism. Messages name users and
 * mechanisms, never passwords.
 */
export async function applyUserChanges(
  session: KafkaSession,
  changes: readonly PlannedChange[],
  book: ResultBook,
  options: ApplyOptions,
  secrets: SecretResolver,
  phase: 'upsert' | 'delete',
): Promise<void> {
  const relevant = changes.filter((c) => (phase === 'delete' ? c.action === 'Delete' : c.action !== 'Delete'));
  if (relevant.length === 0) return;
  const start = performance.now();
  const names = relevant.map(userNameOf);
  let current: Map<string, { mechanism: number; iterations: number }[]>;
  try {
    current = await describeScramCredentials(session, names);
  } catch (error) {
    for (const change of relevant) book.failed(change, messageOf(error));
    return;
  }

  const items: UserItem[] = [];
  for (const change of relevant) {
    const name = userNameOf(change);
    const existing = current.get(name) ?? [];
    if (change.action === 'Delete') {
      if (existing.length === 0) book.succeeded(change, 'already absent', since(start));
      else
        items.push({ change, name, upserts: [], deletions: existing.map((c) => ({ name, mechanism: c.mechanism })) });
      continue;
    }
    const declared = desiredCredentialsOf(change.desired);
    if (declared.size === 0) {
      book.failed(change, `setting scram credentials of user "${name}": the desired spec declares no valid credential`);
      continue;
    }
    const prepared = await prepareUpserts(change, name, declared, existing, secrets);
    if (typeof prepared === 'string') {
      book.failed(change, prepared);
      continue;
    }
    const wanted = new Set([...declared.keys()].map((m) => SCRAM_MECHANISM_CODE[m]));
    const deletions = existing.filter((c) => !wanted.has(c.mechanism)).map((c) => ({ name, mechanism: c.mechanism }));
    if (prepared.length === 0 && deletions.length === 0) {
      book.succeeded(change, 'credentials already as declared', since(start));
      continue;
    }
    items.push({ change, name, upserts: prepared, deletions });
  }

  // The broker accepts one alteration per user per request ("A user credential cannot be altered twice in
  // the same request"), so a user's alterations go out in rounds: first the upserts (the user always keeps a
  // working credential), then one round per mechanism to delete. Each round is still one request per chunk.
  const steps = new Map(items.map((item) => [item, alterationsOf(item)]));
  const failed = new Set<UserItem>();
  const rounds = Math.max(0, ...[...steps.values()].map((s) => s.length));
  for (let round = 0; round < rounds; round++) {
    const inRound = items.filter((item) => !failed.has(item) && (steps.get(item)?.length ?? 0) > round);
    const accepted = new Set(
      await applyInBatches(
        inRound,
        {
          label: 'altering scram users',
          groups: (all) => chunk(all, options.entityChunkSize),
          send: (group) =>
            alterRound(
              session,
              group.map((item) => [item, steps.get(item)?.[round] as Alteration]),
            ),
        },
        book,
        options,
        start,
      ),
    );
    for (const item of inRound) if (!accepted.has(item)) failed.add(item);
  }
  const applied = items.filter((item) => !failed.has(item));

  const unconfirmed = await waitForCredentials(session, applied, options);
  for (const item of applied) {
    if (unconfirmed.has(item.name)) {
      book.failed(
        item.change,
        `altered scram credentials of user "${item.name}", but the broker did not show them ${withinText(waitBudgetMs(options, applied.length))}`,
      );
    } else book.succeeded(item.change, describeUserChange(item), since(start));
  }
}

/** One alteration of one user: exactly one of the two is set. */
interface Alteration {
  upsertion?: Upsertion;
  deletion?: Deletion;
}

function alterationsOf(item: UserItem): Alteration[] {
  return [
    ...item.upserts.map((u) => ({ upsertion: u.upsertion })),
    ...item.deletions.map((deletion) => ({ deletion })),
  ];
}

function userNameOf(change: PlannedChange): string {
  return change.key.startsWith(USER_KEY_PREFIX) ? change.key.slice(USER_KEY_PREFIX.length) : change.name;
}

/**
 * Which declared credentials this change sets: every one for a Create; for an Update those the plan names
 * (`credentials.<mechanism>.*`), those missing live, and, for a plan stored before users had several
 * mechanisms (fields `password`, `iterations`, `mechanism`), all of them.
 */
function mechanismsToSet(
  change: PlannedChange,
  declared: ReadonlyMap<ScramMechanismName, DesiredScramCredential>,
  existing: readonly { mechanism: number; iterations: number }[],
): ScramMechanismName[] {
  const all = [...declared.keys()];
  if (change.action === 'Create') return all;
  if (change.fields.some((f) => !f.path.startsWith('credentials.'))) return all;
  return all.filter(
    (mechanism) =>
      change.fields.some((f) => f.path.startsWith(`credentials.${mechanism}.`)) ||
      !existing.some((c) => c.mechanism === SCRAM_MECHANISM_CODE[mechanism]),
  );
}

/** Resolves the passwords and computes the credentials; returns a message (never a value) on failure. */
async function prepareUpserts(
  change: PlannedChange,
  name: string,
  declared: ReadonlyMap<ScramMechanismName, DesiredScramCredential>,
  existing: readonly { mechanism: number; iterations: number }[],
  secrets: SecretResolver,
): Promise<PreparedUpsert[] | string> {
  const prepared: PreparedUpsert[] = [];
  for (const mechanism of mechanismsToSet(change, declared, existing)) {
    const { iterations, password } = declared.get(mechanism) as DesiredScramCredential;
    if (!Number.isInteger(iterations) || iterations < 4096) {
      return `setting ${mechanism} credentials of user "${name}": the desired spec has no valid "iterations" (at least 4096)`;
    }
    let value: string;
    try {
      value = await secrets.resolve(password);
    } catch (error) {
      // SecretResolver errors name the reference, never the value.
      return `resolving the ${declared.size > 1 ? `${mechanism} ` : ''}password of user "${name}": ${messageOf(error)}`;
    }
    const credential = await computeScramCredential(mechanism, value, iterations);
    prepared.push({
      mechanism,
      iterations,
      upsertion: {
        name,
        mechanism: SCRAM_MECHANISM_CODE[mechanism],
        iterations,
        salt: credential.salt,
        saltedPassword: credential.saltedPassword,
      },
    });
  }
  return prepared;
}

/**
 * Polls DescribeUserScramCredentials until every upserted credential shows with its iterations and every
 * deleted mechanism is gone. The broker that answers is the one clients authenticate against, so once it
 * shows the credential a login with it works. Returns the users not confirmed in time.
 */
async function waitForCredentials(
  session: KafkaSession,
  items: readonly UserItem[],
  options: ApplyOptions,
): Promise<Set<string>> {
  const pending = new Map(items.map((i) => [i.name, i]));
  const deadline = performance.now() + waitBudgetMs(options, items.length);
  let delay = 50;
  while (pending.size > 0) {
    let current: Map<string, { mechanism: number; iterations: number }[]>;
    try {
      current = await describeScramCredentials(session, [...pending.keys()]);
    } catch {
      break;
    }
    for (const [name, item] of pending) {
      const infos = current.get(name) ?? [];
      const upserted = item.upserts.every((u) =>
        infos.some((c) => c.mechanism === u.upsertion.mechanism && c.iterations === u.iterations),
      );
      const deleted = item.deletions.every((d) => !infos.some((c) => c.mechanism === d.mechanism));
      if (upserted && deleted) pending.delete(name);
    }
    if (pending.size === 0 || performance.now() >= deadline) break;
    await sleep(delay);
    delay = Math.min(delay * 2, 500);
  }
  return new Set(pending.keys());
}

function describeUserChange(item: UserItem): string {
  const removed = item.deletions.map((d) => scramMechanismName(d.mechanism) ?? `mechanism ${d.mechanism}`);
  if (item.change.action === 'Delete') return `deleted credentials (${removed.join(', ')})`;
  const verb = item.change.action === 'Create' ? 'created' : 'set';
  const [only] = item.upserts;
  const set =
    item.upserts.length === 0
      ? undefined
      : item.upserts.length === 1 && only
        ? `${verb} ${only.mechanism} credentials (${only.iterations} iterations)`
        : `${verb} credentials ${item.upserts.map((u) => `${u.mechanism} (${u.iterations} iterations)`).join(', ')}`;
  if (!set) return `removed ${removed.join(', ')} (not declared)`;
  return removed.length > 0 ? `${set}; removed ${removed.join(', ')}` : set;
}

/** One AlterUserScramCredentials request: one alteration per user (the broker refuses two in one request). */
async function alterRound(
  session: KafkaSession,
  group: readonly (readonly [UserItem, Alteration])[],
): Promise<Map<UserItem, string>> {
  const alterations = group.map(([, alteration]) => alteration);
  // Upserting a precomputed credential and deleting a mechanism are both safe to repeat, so retry.
  const response = await callApi(
    session,
    alterUserScramCredentialsV0.api,
    [
      alterations.flatMap((a) => (a.deletion ? [a.deletion] : [])),
      alterations.flatMap((a) => (a.upsertion ? [a.upsertion] : [])),
    ],
    `altering scram credentials of ${plural(group.length, 'user')}`,
  );
  const errors = new Map<string, string>();
  for (const result of response.results) {
    // A deletion that finds nothing (e.g. on a retried request) has reached its goal.
    if (result.errorCode !== 0 && result.errorCode !== RESOURCE_NOT_FOUND) {
      errors.set(result.user, itemErrorText(result.errorCode, result.errorMessage));
    }
  }
  const failed = new Map<UserItem, string>();
  for (const [item] of group) {
    const error = errors.get(item.name);
    if (error) failed.set(item, `altering scram credentials of user "${item.name}": ${error}`);
  }
  return failed;
}
