import type { loadConfig } from '../config/load-config.ts';
import type { planEnvironment } from '../engine/plan-environment.ts';
import type { runApply } from '../engine/run-apply.ts';
import type { GitSource } from '../ports/git-source.ts';
import type { Locker } from '../ports/lock.ts';
import type { PipelineLogger } from '../ports/logger.ts';
import type { DriftNotifier, GitHubReporter } from '../ports/reporter.ts';
import type { ProviderFactory } from '../ports/resource-provider.ts';
import type { SecretResolver } from '../ports/secret-resolver.ts';
import type { StateStore } from '../ports/state-store.ts';
import type { Worker } from '../ports/worker.ts';

/** The engine entry points; injectable so unit tests can run the pipeline without a live system. */
export interface PipelineEngine {
  loadConfig: typeof loadConfig;
  planEnvironment: typeof planEnvironment;
  /** The shared apply path (lease, applyPlan, inventory, applied pointer, plan status, audit). */
  runApply: typeof runApply;
}

/** Knobs with safe defaults (see DEFAULT_SETTINGS). */
export interface PipelineSettings {
  /** Lease length for one apply; renewed by nothing, so it must exceed the longest apply. */
  lockTtlSeconds: number;
  /** How long apply waits for a held lock before giving up with a retryable fault. */
  lockWaitMs: number;
  /** How long a webhook delivery id / pushed commit is remembered for replay detection. */
  dedupeTtlSeconds: number;
  /** Link put on commit statuses and checks, e.g. the API base URL. */
  publicUrl?: string;
  /** Used by reapply and drift when no applied plan names the repository yet. */
  defaultRepo?: string;
  /**
   * Branches whose commits may deploy (the webhook's ALLOWED_BRANCHES, `serve --branch`); empty = any. Checked
   * again by the worker for every environment it plans (its `spec.branch`), whatever started the job.
   */
  allowedBranches?: readonly string[];
  /** How often a job that met a retryable fault (git host, broker, store unreachable) is tried again. */
  jobRetries: number;
  /** Backoff before the first retry; doubled each time up to `jobRetryMaxMs`. */
  jobRetryBaseMs: number;
  jobRetryMaxMs: number;
}

export const DEFAULT_SETTINGS: PipelineSettings = {
  lockTtlSeconds: 15 * 60,
  lockWaitMs: 60_000,
  dedupeTtlSeconds: 7 * 24 * 3600,
  // 2 + 4 + 8 + 16 + 32 + 60 s: an outage of a couple of minutes is ridden out; the catch-up takes longer ones.
  jobRetries: 6,
  jobRetryBaseMs: 2_000,
  jobRetryMaxMs: 60_000,
};

/**
 * Everything the use cases run on: ports only (STYLE.md section 3). Composition roots (functions/*, serve)
 * build it once; each use case takes the subset it needs (`Pick<PipelineDeps, ...>`).
 */
export interface PipelineDeps {
  store: StateStore;
  locker: Locker;
  git: GitSource;
  worker: Worker;
  reporter: GitHubReporter;
  notifier: DriftNotifier;
  secrets: SecretResolver;
  createProviders: ProviderFactory;
  engine: PipelineEngine;
  settings: PipelineSettings;
  now: () => Date;
  newId: () => string;
  log: PipelineLogger;
}

/** A logger that drops everything (tests that do not look at logs). */
export const silentLogger: PipelineLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
