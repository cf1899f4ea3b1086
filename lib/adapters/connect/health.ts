import { type ConnectClient, ConnectHttpError, seg, sleep } from './connect-client.ts';

/** `GET /connectors/{name}/status`. */
export interface ConnectorStatus {
  name: string;
  connector: { state: string; worker_id?: string; trace?: string };
  tasks: { id: number; state: string; worker_id?: string; trace?: string }[];
  type?: string;
}

export interface HealthVerdict {
  state: 'healthy' | 'failed' | 'pending';
  /** `connector RUNNING, 2/2 tasks RUNNING`, or the failure with its trace summarized. */
  summary: string;
}

/**
 * Healthy = the connector and every task in the target state (RUNNING, or PAUSED for a paused connector) with at
 * least one task when running; failed = the connector or a task FAILED (Connect does not restart failed tasks by itself).
 */
export function judgeHealth(status: ConnectorStatus, target: 'RUNNING' | 'PAUSED'): HealthVerdict {
  const tasks = status.tasks ?? [];
  const counts = new Map<string, number>();
  for (const task of tasks) counts.set(task.state, (counts.get(task.state) ?? 0) + 1);
  const taskText =
    tasks.length === 0
      ? target === 'PAUSED'
        ? 'no tasks started'
        : 'no tasks yet'
      : counts.size === 1 && counts.has(target)
        ? `${tasks.length}/${tasks.length} tasks ${target}`
        : `tasks: ${[...counts].map(([state, n]) => `${n} ${state}`).join(', ')}`;
  const summary = `connector ${status.connector.state}, ${taskText}`;
  if (status.connector.state === 'FAILED') {
    return { state: 'failed', summary: `${summary}: ${summarizeTrace(status.connector.trace)}` };
  }
  const failed = tasks.filter((t) => t.state === 'FAILED');
  if (failed.length > 0) {
    const first = failed[0];
    return { state: 'failed', summary: `${summary}: task ${first?.id}: ${summarizeTrace(first?.trace)}` };
  }
  // A connector created paused (KIP-980) starts no tasks until it is resumed.
  const enoughTasks = tasks.length > 0 || target === 'PAUSED';
  if (status.connector.state === target && enoughTasks && tasks.every((t) => t.state === target)) {
    return { state: 'healthy', summary };
  }
  return { state: 'pending', summary };
}

/**
 * A Java stack trace in one line: the exception and its causes, without the stack frames.
 * `ConnectException: Couldn't find or create file '/x' <- NoSuchFileException: /x`.
 */
export function summarizeTrace(trace: string | undefined): string {
  if (!trace) return 'no trace reported';
  const lines = trace.split('\n').map((l) => l.trim());
  const heads = [lines[0] ?? '', ...lines.filter((l) => l.startsWith('Caused by:')).map((l) => l.slice(10).trim())];
  const shortened = heads.filter(Boolean).map((h) => h.replace(/^(?:[a-z][\w$]*\.)+(?=[A-Z])/, ''));
  const text = [...new Set(shortened)].join(' <- ');
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
}

/**
 * Polls the connector's status until it is healthy, has failed (for at least `failedGraceMs`, because the status
 * right after a config update can still show the previous tasks), or `timeoutMs` passes.
 */
export async function waitHealthy(
  client: ConnectClient,
  name: string,
  target: 'RUNNING' | 'PAUSED',
  options: { timeoutMs: number; failedGraceMs?: number; intervalMs?: number },
): Promise<{ ok: boolean; summary: string }> {
  const started = Date.now();
  const grace = options.failedGraceMs ?? 3000;
  let failedSince: number | undefined;
  let last: HealthVerdict = { state: 'pending', summary: 'no status yet' };
  for (;;) {
    try {
      last = judgeHealth(await client.request<ConnectorStatus>('GET', `/connectors/${seg(name)}/status`), target);
    } catch (error) {
      // Just created: the status may not exist for a moment.
      if (!(error instanceof ConnectHttpError && error.status === 404)) throw error;
      last = { state: 'pending', summary: 'no status yet' };
    }
    const now = Date.now();
    if (last.state === 'healthy') return { ok: true, summary: last.summary };
    if (last.state === 'failed') {
      failedSince ??= now;
      if (now - failedSince >= grace) return { ok: false, summary: last.summary };
    } else {
      failedSince = undefined;
    }
    if (now - started >= options.timeoutMs) {
      return {
        ok: false,
        summary: `not ${target} within ${Math.round(options.timeoutMs / 1000)}s (spec.healthTimeout): ${last.summary}`,
      };
    }
    await sleep(options.intervalMs ?? 500);
  }
}
