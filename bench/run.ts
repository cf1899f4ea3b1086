/**
 * Landscape Kafka bench: `node bench/run.ts [--topics 10000 --acls 20000]`.
 *
 * Creates N topics (1 partition, RF 1) and M ACLs on the broker at KAFKA_BOOTSTRAP through the full
 * pipeline (observe -> plan -> engine apply -> observe -> re-plan -> prune), then does the same reads and
 * writes as raw batched Admin calls under another prefix, and prints both side by side with the process's
 * peak RSS. Everything it creates is deleted again (also when a phase fails).
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DEFAULT_KAFKA_PROVIDER_OPTIONS } from '../lib/adapters/kafka/kafka-provider.ts';
import { messageOf } from '../lib/errors.ts';
import { cleanupPrefix, kafkaTestEnv } from '../test/support/kafka.ts';
import { runLandscape } from './landscape.ts';
import { formatMs, generateLandscape, type PhaseTimer, peakRssMiB } from './measure.ts';
import { runRaw } from './raw.ts';

const { values: args } = parseArgs({
  options: {
    topics: { type: 'string', default: '10000' },
    acls: { type: 'string', default: '20000' },
    'topic-chunk': { type: 'string', default: String(DEFAULT_KAFKA_PROVIDER_OPTIONS.topicChunkSize) },
    'acl-chunk': { type: 'string', default: String(DEFAULT_KAFKA_PROVIDER_OPTIONS.aclChunkSize) },
    concurrency: { type: 'string', default: String(DEFAULT_KAFKA_PROVIDER_OPTIONS.concurrency) },
    'skip-raw': { type: 'boolean', default: false },
    'skip-landscape': { type: 'boolean', default: false },
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
const landscapePrefix = `bench-${run}-l-`;
const rawPrefix = `bench-${run}-r-`;

const landscapeTimer: PhaseTimer = { phases: [] };
const rawTimer: PhaseTimer = { phases: [] };
let exitCode = 0;

process.stderr.write(
  `bench: ${topicCount} topics + ${aclCount} acls on ${kafkaTestEnv.bootstrap} (chunks: ${tuning.topicChunkSize} topics, ` +
    `${tuning.aclChunkSize} acls; concurrency ${tuning.concurrency}; node ${process.version})\n`,
);

if (!args['skip-landscape']) {
  process.stderr.write(`landscape (prefix ${landscapePrefix})\n`);
  try {
    const outcome = await runLandscape(
      generateLandscape(landscapePrefix, topicCount, aclCount),
      landscapeTimer,
      tuning,
    );
    process.stderr.write(
      `  created ${outcome.createdTopics} topics and ${outcome.createdAcls} acls, ${outcome.failed} not succeeded; ` +
        `re-plan: ${outcome.replanChanges} changes; delete: ${outcome.deleteFailed} not succeeded\n`,
    );
    for (const problem of outcome.problems) process.stderr.write(`  ${problem}\n`);
    if (outcome.failed > 0 || outcome.replanChanges > 0 || outcome.deleteFailed > 0) exitCode = 1;
  } catch (error) {
    process.stderr.write(`  landscape run failed: ${messageOf(error)}\n`);
    exitCode = 1;
  } finally {
    await cleanupPrefix(landscapePrefix);
  }
}

if (!args['skip-raw']) {
  process.stderr.write(`raw batched admin calls (prefix ${rawPrefix})\n`);
  try {
    await runRaw(generateLandscape(rawPrefix, topicCount, aclCount), rawTimer, tuning);
  } catch (error) {
    process.stderr.write(`  raw run failed: ${messageOf(error)}\n`);
    exitCode = 1;
  } finally {
    await cleanupPrefix(rawPrefix);
  }
}

const names = [...new Set([...landscapeTimer.phases, ...rawTimer.phases].map((p) => p.name))];
const rows = names.map((name) => {
  const landscape = landscapeTimer.phases.find((p) => p.name === name);
  const raw = rawTimer.phases.find((p) => p.name === name);
  const ratio = landscape && raw && raw.ms > 0 ? `${(landscape.ms / raw.ms).toFixed(1)}x` : '-';
  return [name, formatMs(landscape?.ms), formatMs(raw?.ms), ratio, landscape ? `${landscape.peakRssMiB} MiB` : '-'];
});
const header = ['phase', 'landscape', 'raw admin', 'ratio', 'peak rss (landscape)'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
console.log(`\n${topicCount} topics + ${aclCount} acls, node ${process.version}, peak rss ${peakRssMiB()} MiB`);
console.log(line(header));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const row of rows) console.log(line(row));
if (landscapeTimer.steps && landscapeTimer.steps.size > 0) {
  console.log('\nlandscape apply breakdown (ms from the start of the apply: first -> last progress event)');
  for (const [name, step] of landscapeTimer.steps) {
    console.log(
      `  ${name.padEnd(48)} ${String(step.first).padStart(7)} -> ${String(step.last).padStart(7)}  (${step.done}/${step.total})`,
    );
  }
}
process.exitCode = exitCode;
