/**
 * Landscape Kafka bench: `node bench/run.ts [--topics 10000 --acls 20000] [--paths pipeline,provider,raw]`.
 *
 * Creates N topics (1 partition, RF 1) and M ACLs on the broker at KAFKA_BOOTSTRAP and deletes them again,
 * along up to three paths, each under its own name prefix and one after the other:
 * - pipeline: observe -> plan (lib/plan) -> engine apply (stale check, waves) -> observe -> re-plan -> prune;
 * - provider: the Kafka provider alone, with the PlannedChange lists built directly;
 * - raw: the same reads and writes as plain batched Admin calls (same chunk sizes and concurrency).
 * It prints one table with wall times, ratios to raw and the process's peak RSS after each phase (peak RSS
 * only grows, so run one path per process to isolate its memory). Everything created is deleted, also when a
 * phase fails.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DEFAULT_KAFKA_PROVIDER_OPTIONS } from '../lib/adapters/kafka/kafka-provider.ts';
import { messageOf } from '../lib/errors.ts';
import { cleanupPrefix, fileDeleteDelayMs, kafkaTestEnv } from '../scripts/services/kafka-broker.ts';
import { type LandscapeRun, runLandscape, runProvider } from './landscape.ts';
import { formatMs, generateLandscape, type PhaseTimer, peakRssMiB } from './measure.ts';
import { runRaw } from './raw.ts';

const { values: args } = parseArgs({
  options: {
    topics: { type: 'string', default: '10000' },
    acls: { type: 'string', default: '20000' },
    'topic-chunk': { type: 'string', default: String(DEFAULT_KAFKA_PROVIDER_OPTIONS.topicChunkSize) },
    'acl-chunk': { type: 'string', default: String(DEFAULT_KAFKA_PROVIDER_OPTIONS.aclChunkSize) },
    concurrency: { type: 'string', default: String(DEFAULT_KAFKA_PROVIDER_OPTIONS.concurrency) },
    /** Which paths to run, comma-separated: pipeline (planner + engine + provider), provider, raw. */
    paths: { type: 'string', default: 'pipeline,raw' },
    /** Wait before the first path too (when another run just deleted thousands of topics). */
    'settle-first': { type: 'boolean', default: false },
  },
});

const topicCount = Number(args.topics);
const aclCount = Number(args.acls);
const tuning = {
  topicChunkSize: Number(args['topic-chunk']),
  describeChunkSize: DEFAULT_KAFKA_PROVIDER_OPTIONS.describeChunkSize,
  aclChunkSize: Number(args['acl-chunk']),
  concurrency: Number(args.concurrency),
};
const run = randomBytes(3).toString('hex');

const paths = new Set(String(args.paths).split(','));
const timers = new Map<string, PhaseTimer>();
let exitCode = 0;

process.stderr.write(
  `bench: ${topicCount} topics + ${aclCount} acls on ${kafkaTestEnv.bootstrap} (chunks: ${tuning.topicChunkSize} topics, ` +
    `${tuning.aclChunkSize} acls; concurrency ${tuning.concurrency}; node ${process.version})\n`,
);

/**
 * A broker keeps the files of a deleted partition open until `file.delete.delay.ms` (60 s by default) after
 * the delete. Creating 10,000 topics right after deleting 10,000 needs twice the file descriptors and runs
 * the test broker (ulimit -n 20000) into "Too many open files", which then shows up as slow or failing
 * creates. So between paths the bench waits that long, and says so.
 */
async function settle(reason: string): Promise<void> {
  if (topicCount < 1000) return;
  const delayMs = (await fileDeleteDelayMs()) + 5_000;
  process.stderr.write(`settling ${Math.round(delayMs / 1000)} s (${reason})\n`);
  await new Promise((resolve) => setTimeout(resolve, delayMs));
}

let settleNext = Boolean(args['settle-first']);
const landscapeRuns: [string, (prefix: string, timer: PhaseTimer) => Promise<LandscapeRun>][] = [
  ['pipeline', (prefix, timer) => runLandscape(generateLandscape(prefix, topicCount, aclCount), timer, tuning)],
  ['provider', (prefix, timer) => runProvider(generateLandscape(prefix, topicCount, aclCount), timer, tuning)],
];
for (const [path, runPath] of landscapeRuns) {
  if (!paths.has(path)) continue;
  if (settleNext) await settle('deleted partitions still hold open files');
  settleNext = true;
  const prefix = `bench-${run}-${path}-`;
  const timer: PhaseTimer = { phases: [] };
  timers.set(path, timer);
  process.stderr.write(`${path} (prefix ${prefix})\n`);
  try {
    const outcome = await runPath(prefix, timer);
    process.stderr.write(
      `  created ${outcome.createdTopics} topics and ${outcome.createdAcls} acls, ${outcome.failed} not succeeded; ` +
        `re-plan: ${outcome.replanChanges} changes; delete: ${outcome.deleteFailed} not succeeded\n`,
    );
    for (const problem of outcome.problems) process.stderr.write(`  ${problem}\n`);
    if (outcome.failed > 0 || outcome.replanChanges > 0 || outcome.deleteFailed > 0) exitCode = 1;
  } catch (error) {
    process.stderr.write(`  ${path} run failed: ${messageOf(error)}\n`);
    exitCode = 1;
  } finally {
    await cleanupPrefix(prefix);
  }
}

if (paths.has('raw')) {
  if (settleNext) await settle('deleted partitions still hold open files');
  const prefix = `bench-${run}-r-`;
  const timer: PhaseTimer = { phases: [] };
  timers.set('raw', timer);
  process.stderr.write(`raw batched admin calls (prefix ${prefix})\n`);
  try {
    await runRaw(generateLandscape(prefix, topicCount, aclCount), timer, tuning);
  } catch (error) {
    process.stderr.write(`  raw run failed: ${messageOf(error)}\n`);
    exitCode = 1;
  } finally {
    await cleanupPrefix(prefix);
  }
}

const columns = [...timers.keys()];
const names = [...new Set([...timers.values()].flatMap((t) => t.phases.map((p) => p.name)))];
const rawTimer = timers.get('raw');
const rows = names.map((name) => {
  const cells = columns.map((path) => formatMs(timers.get(path)?.phases.find((p) => p.name === name)?.ms));
  const raw = rawTimer?.phases.find((p) => p.name === name)?.ms;
  const ratios = columns
    .filter((path) => path !== 'raw')
    .map((path) => {
      const ms = timers.get(path)?.phases.find((p) => p.name === name)?.ms;
      return ms !== undefined && raw ? `${(ms / raw).toFixed(1)}x` : '-';
    });
  const rss = columns
    .filter((path) => path !== 'raw')
    .map((path) => {
      const phase = timers.get(path)?.phases.find((p) => p.name === name);
      return phase ? `${phase.peakRssMiB} MiB` : '-';
    });
  return [name, ...cells, ...(rawTimer ? ratios : []), ...rss];
});
const landscapeColumns = columns.filter((path) => path !== 'raw');
const header = [
  'phase',
  ...columns.map((path) => (path === 'raw' ? 'raw admin' : path)),
  ...(rawTimer ? landscapeColumns.map((path) => `${path} / raw`) : []),
  ...landscapeColumns.map((path) => `peak rss after (${path})`),
];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
console.log(`\n${topicCount} topics + ${aclCount} acls, node ${process.version}, peak rss ${peakRssMiB()} MiB`);
console.log(line(header));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const row of rows) console.log(line(row));
for (const path of landscapeColumns) {
  const steps = timers.get(path)?.steps;
  if (!steps || steps.size === 0) continue;
  console.log(`\n${path} apply breakdown (ms from the start of the apply: first -> last progress event)`);
  for (const [name, step] of steps) {
    console.log(
      `  ${name.padEnd(48)} ${String(step.first).padStart(7)} -> ${String(step.last).padStart(7)}  (${step.done}/${step.total})`,
    );
  }
}
process.exitCode = exitCode;
