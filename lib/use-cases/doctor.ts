import { messageOf, ReconcilerError } from '../errors.ts';
import { describeSecretRef, type SecretRef } from '../model/common.ts';
import {
  type DoctorCheck,
  type DoctorNeeds,
  type DoctorReport,
  doctorNeeds,
  doctorReport,
  failed,
  ok,
  secretReferences,
} from '../model/doctor.ts';
import type { EnvironmentSpec } from '../model/environment.ts';
import { type SecretResolver, secretsForEnvironment } from '../ports/secret-resolver.ts';
import type { StateStore } from '../ports/state-store.ts';
import { checkEnvironment, planEnvironmentValue } from './plan-policy.ts';

/** How long one call of a probe may take; a whole target gets three times that. */
export const DEFAULT_DOCTOR_TIMEOUT_MS = 10_000;

/** The checks of one target (Kafka, the registry, one Connect cluster, Kubernetes, GitHub), run as one task. */
export interface DoctorProbe {
  target: string;
  /** `signal` aborts when the probe's time is up: close what is still open, so nothing outlives the report. */
  run(signal: AbortSignal): Promise<DoctorCheck[]>;
}

/** Builds the probes of an environment's connections (lib/wiring/doctor.ts, over the adapters). */
export type DoctorProbeFactory = (input: {
  spec: EnvironmentSpec;
  needs: DoctorNeeds;
  secrets: SecretResolver;
  timeoutMs: number;
}) => Promise<DoctorProbe[]>;

export interface DoctorDeps {
  secrets: SecretResolver;
  probesFor: DoctorProbeFactory;
  now: () => Date;
}

export interface DoctorInput {
  environment: string;
  spec: EnvironmentSpec;
  needs: DoctorNeeds;
  /** Secret references to resolve, each with where it is written (`spec.kafka.sasl.password`). */
  secretRefs: { path: string; ref: SecretRef }[];
  timeoutMs?: number;
}

/**
 * `landscape doctor` / `GET /environments/{env}/doctor`: every secret reference resolves (the value is never
 * shown), then every connection's probe runs (at once: one unreachable host costs its own timeout, not the
 * others'), each bounded in time. A failed check says what is wrong and how to fix it.
 *
 * @example
 * const report = await runDoctor(deps, { environment: 'prod', spec, needs, secretRefs });
 * process.exitCode = report.ok ? 0 : 1;
 */
export async function runDoctor(deps: DoctorDeps, input: DoctorInput): Promise<DoctorReport> {
  const timeoutMs = input.timeoutMs ?? DEFAULT_DOCTOR_TIMEOUT_MS;
  // As the environment's own work reads them: in the functions, only its platform secrets.
  const secrets = secretsForEnvironment(deps.secrets, input.environment);
  const secretChecks = await checkSecrets(secrets, input.secretRefs, timeoutMs);
  const probes = await deps.probesFor({ spec: input.spec, needs: input.needs, secrets, timeoutMs });
  const results = await Promise.all(probes.map((probe) => bounded(probe, timeoutMs * 3)));
  return doctorReport(input.environment, [...results.flat(), ...secretChecks], deps.now().toISOString());
}

async function bounded(probe: DoctorProbe, budgetMs: number): Promise<DoctorCheck[]> {
  let timer: NodeJS.Timeout | undefined;
  const abort = new AbortController();
  const within = budgetMs >= 1000 ? `${Math.round(budgetMs / 1000)} s` : `${budgetMs} ms`;
  const timeout = new Promise<DoctorCheck[]>((resolve) => {
    timer = setTimeout(() => {
      abort.abort();
      resolve([
        failed(
          probe.target,
          'answer',
          `no complete answer within ${within}`,
          'check that the address is right and that this network reaches it (a firewall that drops packets looks like this)',
        ),
      ]);
    }, budgetMs);
    timer.unref?.();
  });
  const answer = probe
    .run(abort.signal)
    .catch((error: unknown) => [
      failed(probe.target, 'probe', messageOf(error), 'see the message: the check itself could not run'),
    ]);
  try {
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function checkSecrets(
  secrets: SecretResolver,
  refs: readonly { path: string; ref: SecretRef }[],
  timeoutMs: number,
): Promise<DoctorCheck[]> {
  // All at once: each is bounded, so many references cost one timeout, not one each.
  return Promise.all(refs.map(({ path, ref }) => checkSecret(secrets, path, ref, timeoutMs)));
}

async function checkSecret(
  secrets: SecretResolver,
  path: string,
  ref: SecretRef,
  timeoutMs: number,
): Promise<DoctorCheck> {
  const name = describeSecretRef(ref);
  const check = `secret ${name} (${path})`;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      secrets.resolve(ref),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
        timer.unref?.();
      }),
    ]);
    // Only that it resolved: never the value, its length or a digest of it.
    return ok('secrets', check, 'resolves');
  } catch (error) {
    const how =
      ref.secretRef.provider === 'aws-secretsmanager'
        ? 'secretsmanager:GetSecretValue for this role'
        : ref.secretRef.provider === 'env'
          ? 'set the variable where Landscape runs'
          : 'the file must exist and be readable';
    return failed('secrets', check, messageOf(error), `create the secret ${name}, or let Landscape read it (${how})`);
  } finally {
    clearTimeout(timer);
  }
}

/** The environment's own secret references (connections), as `spec.kafka.sasl.password`. */
export function environmentSecretRefs(spec: EnvironmentSpec): { path: string; ref: SecretRef }[] {
  return secretReferences(spec, 'spec');
}

/**
 * The doctor of the environment as the pipeline last planned it (the api function and `landscape serve`,
 * which have no checkout): the Environment spec stored with its applied plan (else its newest plan), and its
 * inventory for the permissions the managed resources need.
 */
export async function doctorOfStoredEnvironment(
  deps: DoctorDeps & { store: Pick<StateStore, 'getApplied' | 'getValue' | 'listPlans' | 'getInventory'> },
  environment: string,
  options: { timeoutMs?: number } = {},
): Promise<DoctorReport> {
  checkEnvironment(environment);
  const applied = await deps.store.getApplied(environment);
  const planId = applied?.planId ?? (await deps.store.listPlans(environment, { limit: 1 }))[0]?.id;
  const saved = planId
    ? await deps.store.getValue<{ spec?: EnvironmentSpec }>(planEnvironmentValue(planId))
    : undefined;
  if (!saved?.spec) {
    throw new ReconcilerError(
      'NotFound',
      `nothing has been planned for environment "${environment}" yet, so its connections are unknown: run landscape doctor DIR --env ${environment} from a checkout instead`,
    );
  }
  // The inventory only narrows which permissions are probed: a damaged one is reported, not fatal.
  const state: DoctorCheck[] = [];
  const inventory = await deps.store.getInventory(environment).then(Object.values, (error: unknown) => {
    state.push(
      failed(
        'state',
        'inventory',
        messageOf(error),
        'see the message; permissions of managed resources were not probed',
      ),
    );
    return [];
  });
  const report = await runDoctor(deps, {
    environment,
    spec: saved.spec,
    needs: doctorNeeds(inventory, saved.spec),
    secretRefs: environmentSecretRefs(saved.spec),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  return state.length > 0 ? doctorReport(environment, [...report.checks, ...state], report.checkedAt) : report;
}
