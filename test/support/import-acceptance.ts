import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  alterUserScramCredentialsV0,
  ClientQuotaEntityTypes,
  type ClientQuotaKeyValue,
  ConfigResourceTypes,
  describeUserScramCredentialsV0,
  ScramMechanisms,
} from '@platformatic/kafka';
import { afterAll, beforeAll } from 'vitest';
import { toClientAcl } from '../../lib/adapters/kafka/normalize.ts';
import { computeScramCredential } from '../../lib/adapters/kafka/scram.ts';
import { cleanupPrefix, eventually, rawAdmin } from '../../scripts/services/kafka-broker.ts';
import { type CliResult, landscapeCli } from './cli/landscape-cli.ts';
import { type AppliedByTool, renamer } from './import-fixtures.ts';
import { testEnvironmentYaml, uniquePrefix } from './kafka.ts';
import { ROOT } from './paths.ts';

/** Creates what the tool would, and waits until every piece is visible (the controller accepts before brokers see it). */
export async function applyAsTool(state: AppliedByTool): Promise<void> {
  const admin = rawAdmin('it-import-as-tool');
  try {
    for (const topic of state.topics ?? []) {
      await admin.createTopics({
        topics: [topic.name],
        partitions: topic.partitions,
        replicas: topic.replicationFactor,
        configs: Object.entries(topic.config ?? {}).map(([name, value]) => ({ name, value })),
      });
    }
    if ((state.acls ?? []).length > 0) await admin.createAcls({ creations: (state.acls ?? []).map(toClientAcl) });
    if ((state.quotas ?? []).length > 0) {
      await admin.alterClientQuotas({
        entries: (state.quotas ?? []).map((q) => ({
          entities: [
            ...(q.user !== undefined ? [{ entityType: ClientQuotaEntityTypes.USER, entityName: q.user }] : []),
            ...(q.clientId !== undefined
              ? [{ entityType: ClientQuotaEntityTypes.CLIENT_ID, entityName: q.clientId }]
              : []),
          ],
          ops: Object.entries(q.values).map(([key, value]) => ({
            key: key as ClientQuotaKeyValue,
            value,
            remove: false,
          })),
        })),
      });
    }
    if ((state.users ?? []).length > 0) {
      const connection = [...(await admin.connectToBrokers()).values()][0];
      if (!connection) throw new Error('no broker');
      const upsertions = [];
      for (const user of state.users ?? []) {
        // The password does not matter to the plan (it is never read back); a fresh random one per run.
        const credential = await computeScramCredential(user.mechanism, crypto.randomUUID(), user.iterations);
        upsertions.push({
          name: user.name,
          mechanism: user.mechanism === 'SCRAM-SHA-256' ? ScramMechanisms.SCRAM_SHA_256 : ScramMechanisms.SCRAM_SHA_512,
          ...credential,
        });
      }
      // The broker refuses two alterations of one user in one request: one request each.
      for (const upsertion of upsertions) await alterUserScramCredentialsV0.api.async(connection, [], [upsertion]);
    }
    const visible = await eventually(async () => {
      const topics = new Set(await admin.listTopics());
      if (!(state.topics ?? []).every((t) => topics.has(t.name))) return false;
      for (const topic of state.topics ?? []) {
        if (Object.keys(topic.config ?? {}).length === 0) continue;
        const [described] = await admin.describeConfigs({
          resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic.name }],
        });
        for (const [name, value] of Object.entries(topic.config ?? {}))
          if (described?.configs.find((c) => c.name === name)?.value !== value) return false;
      }
      for (const acl of state.acls ?? []) {
        const found = await admin.describeAcls({ filter: toClientAcl(acl) });
        if (!found.some((r) => r.acls.length > 0)) return false;
      }
      const quotas = await admin.describeClientQuotas({ components: [] });
      for (const quota of state.quotas ?? []) {
        const found = quotas.find(
          (q) =>
            q.entity.length === (quota.user !== undefined ? 1 : 0) + (quota.clientId !== undefined ? 1 : 0) &&
            q.entity.every((e) => e.entityName === (e.entityType === 'user' ? quota.user : quota.clientId)),
        );
        for (const [key, value] of Object.entries(quota.values))
          if (found?.values.find((v) => v.key === key)?.value !== value) return false;
      }
      if ((state.users ?? []).length > 0) {
        const connection = [...(await admin.connectToBrokers()).values()][0];
        if (!connection) return false;
        const names = [...new Set((state.users ?? []).map((u) => u.name))];
        // A user the broker does not have yet is an error response: not visible yet.
        const described = await describeUserScramCredentialsV0.api
          .async(
            connection,
            names.map((name) => ({ name })),
          )
          .catch(() => undefined);
        if (!described) return false;
        for (const user of state.users ?? []) {
          const result = described.results.find((r) => r.user === user.name);
          const mechanism =
            user.mechanism === 'SCRAM-SHA-256' ? ScramMechanisms.SCRAM_SHA_256 : ScramMechanisms.SCRAM_SHA_512;
          if (!result?.credentialInfos.some((c) => c.mechanism === mechanism && c.iterations === user.iterations))
            return false;
        }
      }
      return true;
    }, 30_000);
    if (!visible) throw new Error('what the tool would apply never became visible');
  } finally {
    await admin.close();
  }
}

/** Removes what applyAsTool created (names that do not start with the run's prefix included). */
export async function removeAsTool(state: AppliedByTool): Promise<void> {
  const admin = rawAdmin('it-import-cleanup');
  try {
    const topics = (state.topics ?? []).map((t) => t.name);
    if (topics.length > 0) await admin.deleteTopics({ topics }).catch(() => undefined);
    if ((state.acls ?? []).length > 0)
      await admin.deleteAcls({ filters: (state.acls ?? []).map(toClientAcl) }).catch(() => undefined);
  } finally {
    await admin.close();
  }
}

export interface ImportRun {
  imported: CliResult;
  plan: CliResult;
  /** The imported files, name -> text. */
  files: Map<string, string>;
}

/**
 * Copies the fixture files (renamed for this run) into a source directory, runs `landscape import --from TOOL`
 * into a fresh config directory next to an Environment for the test broker, and plans that directory.
 */
export async function importThenPlan(
  tool: string,
  fixtures: readonly string[],
  rename: (text: string) => string,
): Promise<ImportRun> {
  const sources = await mkdtemp(join(tmpdir(), `landscape-import-${tool}-src-`));
  const dir = await mkdtemp(join(tmpdir(), `landscape-import-${tool}-`));
  const state = await mkdtemp(join(tmpdir(), `landscape-import-${tool}-state-`));
  const sourcePaths: string[] = [];
  for (const fixture of fixtures) {
    const text = await readFile(join(ROOT, 'test/fixtures/import', tool, fixture), 'utf8');
    const path = join(sources, fixture);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, rename(text));
    sourcePaths.push(path);
  }
  await writeFile(join(dir, 'environment.yaml'), testEnvironmentYaml('it'));
  const out = join(dir, 'imported');
  const cli = (...args: string[]) => landscapeCli(args, { cwd: dir, state });
  const imported = await cli('import', '--from', tool, ...sourcePaths, '--out', out);
  const files = new Map<string, string>();
  for (const file of await readdir(out).catch(() => [] as string[]))
    files.set(file, await readFile(join(out, file), 'utf8'));
  const plan = await cli('plan', '.', '--env', 'it');
  return { imported, plan, files };
}

/**
 * One importer's acceptance run on the calling file's hooks: before its tests, what `tool` would apply for its
 * fixtures (every name given this run's own prefix, `label`) is created on the broker, then imported and
 * planned; after them, removed. Read the returned run inside the tests.
 */
export function importAcceptance(
  tool: string,
  label: string,
  fixtures: readonly string[],
  appliedByTool: (rename: (text: string) => string) => AppliedByTool,
): () => ImportRun {
  const prefix = uniquePrefix(`it-import-${label}`);
  const rename = renamer(prefix);
  const applied = appliedByTool(rename);
  let run: ImportRun | undefined;
  beforeAll(async () => {
    await applyAsTool(applied);
    run = await importThenPlan(tool, fixtures, rename);
  });
  afterAll(async () => {
    await removeAsTool(applied);
    await cleanupPrefix(prefix);
  });
  return () => {
    if (!run) throw new Error(`the ${tool} import did not run (see the beforeAll error)`);
    return run;
  };
}
