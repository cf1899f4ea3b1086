import { loadConfig } from '../config/load-config.ts';
import { planEnvironment } from '../engine/plan-environment.ts';
import { runApply } from '../engine/run-apply.ts';
import type { PipelineEngine } from '../use-cases/deps.ts';

/** The engine every entry point passes to the use cases: config loading, planning and the shared apply path. */
export const DEFAULT_ENGINE: PipelineEngine = { loadConfig, planEnvironment, runApply };
