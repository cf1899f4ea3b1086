import { setTimeout as sleep } from 'node:timers/promises';
import { AdapterError, messageOf } from '../errors.ts';
import type { PipelineJob } from '../model/job.ts';
import type { PipelineLogger } from '../ports/logger.ts';
import type { Worker } from '../ports/worker.ts';

/**
 * Work started "asynchronously" inside one process (`landscape serve`, tests): tracked so that shutdown and
 * tests can wait until everything settled. Retryable faults are retried like Lambda retries an async invoke.
 */
export class BackgroundTasks {
  readonly #running = new Set<Promise<void>>();
  readonly #log: PipelineLogger;
  readonly #retries: number;
  readonly #retryDelayMs: number;

  constructor(log: PipelineLogger, options: { retries?: number; retryDelayMs?: number } = {}) {
    this.#log = log;
    this.#retries = options.retries ?? 2;
    this.#retryDelayMs = options.retryDelayMs ?? 1000;
  }

  /** Starts `fn` in the background; `retries` overrides the default (jobs retry themselves: runJob). */
  run(name: string, fn: () => Promise<unknown>, options: { retries?: number } = {}): void {
    const retries = options.retries ?? this.#retries;
    const task = (async () => {
      // Let the caller answer first (the webhook's 202), as Lambda's async invoke would.
      await sleep(0);
      for (let attempt = 0; ; attempt++) {
        try {
          await fn();
          return;
        } catch (error) {
          const retryable = error instanceof AdapterError && error.retryable;
          if (!retryable || attempt >= retries) {
            this.#log.error('background task failed', { task: name, attempt, error: messageOf(error) });
            return;
          }
          this.#log.warn('background task will be retried', { task: name, attempt, error: messageOf(error) });
          await sleep(this.#retryDelayMs * (attempt + 1));
        }
      }
    })();
    this.#running.add(task);
    void task.finally(() => this.#running.delete(task));
  }

  /** Resolves once no task is running (including tasks started by tasks). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  get size(): number {
    return this.#running.size;
  }
}

/**
 * The Worker of `landscape serve`: applies plans and runs jobs in this process, in the background. Bound once
 * the use case deps exist (the apply and the jobs need the worker themselves, for re-plans and applies).
 */
export class InProcessWorker implements Worker {
  readonly #tasks: BackgroundTasks;
  #apply: ((request: { environment: string; planId: string }) => Promise<unknown>) | undefined;
  #run: ((job: PipelineJob) => Promise<unknown>) | undefined;

  constructor(tasks: BackgroundTasks) {
    this.#tasks = tasks;
  }

  bind(work: {
    apply: (request: { environment: string; planId: string }) => Promise<unknown>;
    run: (job: PipelineJob) => Promise<unknown>;
  }): void {
    this.#apply = work.apply;
    this.#run = work.run;
  }

  async invokeApply(request: { environment: string; planId: string }): Promise<void> {
    const apply = this.#apply;
    if (!apply) throw new Error('InProcessWorker used before bind()');
    this.#tasks.run(`apply ${request.planId}`, () => apply(request));
  }

  async dispatch(job: PipelineJob): Promise<void> {
    const run = this.#run;
    if (!run) throw new Error('InProcessWorker used before bind()');
    // runJob retries a job's faults itself, with backoff (the same on AWS, where async retries are off).
    this.#tasks.run(`job ${job.id} (${job.type})`, () => run(job), { retries: 0 });
  }
}
