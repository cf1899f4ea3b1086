/**
 * Validate and plan at scale: `node bench/validate-scale.ts [--docs 1000,2000,4000,8000] [--envs 1,10,100]`.
 *
 * For each number of documents and of environments it writes a config tree (files of 100 documents: 80%
 * topics, 20% ACLs, one Policy, every tenth document with an overlay for one environment) and measures, each
 * in a fresh Node process so that its peak RSS is its own:
 * - validate: what `landscape validate DIR` does (every environment: validation, rendering, governance checks);
 * - plan: what `landscape plan DIR --env env-0` does without a broker (load, render, checks, computePlan
 *   against an empty in-memory Kafka, so every resource is a Create).
 * It prints one row per run: wall and CPU time of the operation (module loading excluded; CPU time is the
 * steadier figure on a shared machine) and the process's peak RSS.
 * `--write DIR` only writes the tree for the first sizes given (to run `landscape validate` on it by hand).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ResourceProvider } from '../lib/ports/resource-provider.ts';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    docs: { type: 'string', default: '1000,2000,4000,8000' },
    envs: { type: 'string', default: '1,10,100' },
    ops: { type: 'string', default: 'validate,plan' },
    write: { type: 'string' },
    /** Internal: run one measurement in this process (`--child validate DIR`). */
    child: { type: 'string' },
  },
});

const DOCS_PER_FILE = 100;

/** The config tree: `docs` documents in files of 100 and `envs` environments. Returns the number of files. */
export function writeConfigTree(dir: string, docs: number, envs: number): number {
  mkdirSync(join(dir, 'resources'), { recursive: true });
  const environments: string[] = [];
  for (let e = 0; e < envs; e++)
    environments.push(`apiVersion: landscape.dev/v1
kind: Environment
metadata: { name: env-${e} }
spec:
  kafka: { bootstrapServers: ["kafka-${e}.example:9092"] }
  prune: { Topic: true, Acl: true }
`);
  writeFileSync(join(dir, 'environments.yaml'), environments.join('---\n'));
  writeFileSync(
    join(dir, 'policy.yaml'),
    `apiVersion: landscape.dev/v1
kind: Policy
metadata: { name: standards }
spec:
  rules: { namePattern: "^team[0-9]+\\\\.[a-z0-9.-]+$", requiredLabels: [team], maxPartitions: 64 }
`,
  );
  let files = 2;
  for (let start = 0; start < docs; start += DOCS_PER_FILE) {
    const documents: string[] = [];
    for (let i = start; i < Math.min(docs, start + DOCS_PER_FILE); i++) {
      const team = `team${i % 50}`;
      const overlay = i % 10 === 0 ? `overlays:\n  env-${i % envs}: { spec: { partitions: 6 } }\n` : '';
      if (i % 5 === 4) {
        documents.push(`apiVersion: landscape.dev/v1
kind: Acl
metadata: { name: ${team}.reads-${i}, labels: { team: ${team} } }
spec:
  principal: User:${team}
  resource: { type: topic, name: ${team}.events-${i - 1} }
  operations: [read, describe]
`);
      } else {
        documents.push(`apiVersion: landscape.dev/v1
kind: Topic
metadata: { name: ${team}.events-${i}, labels: { team: ${team} } }
spec:
  partitions: 3
  replicationFactor: 1
  config: { retention.ms: "604800000", cleanup.policy: delete }
${overlay}`);
      }
    }
    writeFileSync(
      join(dir, 'resources', `r-${String(start / DOCS_PER_FILE).padStart(4, '0')}.yaml`),
      documents.join('---\n'),
    );
    files++;
  }
  return files;
}

interface Measured {
  ms: number;
  /** CPU time (user + system) of the operation: steadier than wall time on a loaded machine. */
  cpuMs: number;
  peakRssMiB: number;
  /** What the run produced, to show it did the work: problems found, resources planned. */
  detail: string;
}

/** A Kafka cluster with nothing on it: `plan` measures the planner against an empty cluster, no broker. */
const EMPTY_KAFKA: ResourceProvider = {
  name: 'empty-kafka',
  kinds: ['Topic', 'Acl', 'Quota', 'User'],
  observe: async () => [],
  observeKeys: async () => [],
  apply: async () => [],
  close: async () => {},
};

/** One measurement in this process: the operation's wall time and the process's peak RSS. */
async function child(op: string, dir: string): Promise<Measured> {
  const { loadConfig, loadLandscape } = await import('../lib/config/load-config.ts');
  const { planEnvironment, renderAndCheck } = await import('../lib/engine/plan-environment.ts');
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  let detail: string;
  if (op === 'validate') {
    // What validateCommand (lib/cli/validate-command.ts) does, without printing.
    const { problems, configs } = await loadLandscape(dir);
    for (const config of configs.values()) problems.push(...renderAndCheck(config).problems);
    detail = `${configs.size} environments, ${problems.length} problems`;
  } else {
    const config = await loadConfig(dir, 'env-0');
    const result = await planEnvironment({
      config,
      providers: [EMPTY_KAFKA],
      inventory: {},
      source: {},
    });
    detail = `${result.plan?.changes.length ?? 0} changes, ${result.problems.length} problems`;
  }
  const ms = Math.round(performance.now() - start);
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
  // resourceUsage().maxRSS is in kilobytes: the peak of this process.
  return { ms, cpuMs, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024), detail };
}

async function main(): Promise<void> {
  if (args.child) {
    process.stdout.write(`${JSON.stringify(await child(args.child, positionals[0] as string))}\n`);
    return;
  }
  const docSizes = String(args.docs).split(',').map(Number);
  const envSizes = String(args.envs).split(',').map(Number);
  if (args.write) {
    const files = writeConfigTree(args.write, docSizes[0] as number, envSizes[0] as number);
    process.stdout.write(
      `wrote ${docSizes[0]} documents, ${envSizes[0]} environments, ${files} files to ${args.write}\n`,
    );
    return;
  }
  const ops = String(args.ops).split(',');
  process.stdout.write('| op       | documents | environments | files | wall     | CPU      | peak RSS | result\n');
  process.stdout.write('| -------- | --------- | ------------ | ----- | -------- | -------- | -------- | ------\n');
  for (const envs of envSizes) {
    for (const docs of docSizes) {
      const dir = mkdtempSync(join(tmpdir(), 'landscape-bench-'));
      try {
        const files = writeConfigTree(dir, docs, envs);
        for (const op of ops) {
          const output = execFileSync(process.execPath, [import.meta.filename, '--child', op, dir], {
            encoding: 'utf8',
            maxBuffer: 64 * 1024 * 1024,
          });
          const measured = JSON.parse(output.trim().split('\n').at(-1) as string) as Measured;
          process.stdout.write(
            `| ${op.padEnd(8)} | ${String(docs).padStart(9)} | ${String(envs).padStart(12)} | ${String(files).padStart(5)} | ${`${measured.ms} ms`.padStart(8)} | ${`${measured.cpuMs} ms`.padStart(8)} | ${`${measured.peakRssMiB} MiB`.padStart(8)} | ${measured.detail}\n`,
          );
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
}

await main();
