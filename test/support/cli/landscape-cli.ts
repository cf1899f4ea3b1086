import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { kafkaTestEnv } from '../../../scripts/services/kafka-broker.ts';
import { ROOT } from '../paths.ts';

const run = promisify(execFile);

export interface CliResult {
  /** The exit code; null when a signal ended the process. */
  code: number | null;
  signal?: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** The state directory (`--state`). */
  state: string;
  /** The working directory (default this process's). */
  cwd?: string;
  /** Variables on top of this process's environment and the broker's admin password (KAFKA_PASSWORD). */
  env?: Record<string, string>;
  /** Kill the CLI with SIGKILL the moment it writes a stderr line containing this (kill-on-output.ts). */
  killOn?: string;
}

/**
 * Runs the real CLI as a user would (`node bin/landscape.ts ARGS --state STATE`), without a terminal (as in a
 * script or CI), with the admin password of the test broker in its environment. Never throws for an exit
 * code: the result has it.
 */
export async function landscapeCli(args: readonly string[], options: CliOptions): Promise<CliResult> {
  const preload = options.killOn ? ['--import', join(import.meta.dirname, 'kill-on-output.ts')] : [];
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      // Progress lines are printed only on a terminal: the kill point is one of them, so ask for them.
      [
        ...preload,
        join(ROOT, 'bin/landscape.ts'),
        ...args,
        '--state',
        options.state,
        ...(options.killOn ? ['--progress'] : []),
      ],
      {
        env: {
          ...process.env,
          KAFKA_PASSWORD: kafkaTestEnv.password,
          ...options.env,
          ...(options.killOn ? { LANDSCAPE_TEST_KILL_ON: options.killOn } : {}),
        },
        ...(options.cwd ? { cwd: options.cwd } : {}),
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };
    return { code: e.code, signal: e.signal, stdout: e.stdout, stderr: e.stderr };
  }
}

export interface CliWorkspace {
  /** A fresh config directory (the CLI's working directory). */
  dir: string;
  /** A fresh state directory. */
  state: string;
  /** Runs the CLI in `dir` on `state`. */
  cli(...args: string[]): Promise<CliResult>;
}

/** A fresh config directory and state directory, with the CLI bound to them (and `env`, as landscapeCli). */
export async function cliWorkspace(label: string, env: Record<string, string> = {}): Promise<CliWorkspace> {
  const dir = await mkdtemp(join(tmpdir(), `landscape-${label}-`));
  const state = await mkdtemp(join(tmpdir(), `landscape-${label}-state-`));
  return { dir, state, cli: (...args: string[]) => landscapeCli(args, { cwd: dir, state, env }) };
}
