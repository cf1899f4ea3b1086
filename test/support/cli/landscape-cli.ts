import { execFile } from 'node:child_process';
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
      [...preload, join(ROOT, 'bin/landscape.ts'), ...args, '--state', options.state],
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
