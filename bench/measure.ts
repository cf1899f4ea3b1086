import type { AclBinding } from '../lib/model/kinds/acl.ts';

/** The generated landscape: N topics (1 partition, RF 1) and M distinct topic ACL bindings over them. */
export interface Landscape {
  prefix: string;
  topics: string[];
  acls: AclBinding[];
}

const OPERATIONS = ['read', 'write', 'describe'] as const;

/** Bindings per principal: like an App with access to a hundred topics. */
const BINDINGS_PER_PRINCIPAL = 100;

/**
 * Builds a landscape with unique names under `prefix`. ACL j is for topic j mod N and principal
 * `app-<floor(j / 100)>`, with operation k = floor(j / N): bindings never repeat, whatever M is relative to N,
 * and 20,000 ACLs belong to 200 principals, as they would for 200 applications.
 */
export function generateLandscape(prefix: string, topicCount: number, aclCount: number): Landscape {
  const width = String(Math.max(topicCount - 1, 0)).length;
  const topics = Array.from({ length: topicCount }, (_, i) => `${prefix}t-${String(i).padStart(width, '0')}`);
  const acls: AclBinding[] = Array.from({ length: topicCount === 0 ? 0 : aclCount }, (_, j) => {
    const round = Math.floor(j / topicCount);
    return {
      principal: `User:${prefix}app-${Math.floor(j / BINDINGS_PER_PRINCIPAL)}`,
      host: '*',
      resourceType: 'topic',
      resourceName: topics[j % topicCount] as string,
      patternType: 'literal',
      operation: OPERATIONS[round % OPERATIONS.length] as AclBinding['operation'],
      permission: 'allow',
    };
  });
  return { prefix, topics, acls };
}

/** One measured phase: wall time and the process's peak RSS so far (MiB). */
export interface Phase {
  name: string;
  ms: number;
  peakRssMiB: number;
}

export interface PhaseTimer {
  phases: Phase[];
  /** Provider progress phases: first and last event time (ms since the timer's phase started). */
  steps?: Map<string, { first: number; last: number; done: number; total: number }>;
}

/**
 * A ProgressListener that records when each provider phase ("kafka: creating topics") was first and last
 * reported, which shows where an apply spends its time.
 */
export function recordSteps(
  timer: PhaseTimer,
  label: string,
): (event: { phase: string; done: number; total: number }) => void {
  const start = performance.now();
  timer.steps ??= new Map();
  const steps = timer.steps;
  return (event) => {
    const now = Math.round(performance.now() - start);
    const key = `${label} / ${event.phase}`;
    const step = steps.get(key);
    if (step) Object.assign(step, { last: now, done: event.done, total: event.total });
    else steps.set(key, { first: now, last: now, done: event.done, total: event.total });
  };
}

export function peakRssMiB(): number {
  // resourceUsage().maxRSS is in kilobytes and only grows: it is the peak of the whole process so far.
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** Runs `work`, records its wall time and the peak RSS after it, and prints a progress line. */
export async function timed<T>(timer: PhaseTimer, name: string, work: () => Promise<T> | T): Promise<T> {
  const start = performance.now();
  const result = await work();
  const phase = { name, ms: Math.round(performance.now() - start), peakRssMiB: peakRssMiB() };
  timer.phases.push(phase);
  process.stderr.write(`  ${name}: ${formatMs(phase.ms)} (peak rss ${phase.peakRssMiB} MiB)\n`);
  return result;
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '-';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}

/** Runs `task` over `items` with at most `concurrency` in flight. */
export async function eachLimited<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
      while (next < items.length) await task(items[next++] as T);
    }),
  );
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}
