import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { kafkaTestEnv } from '../../../scripts/services/kafka-broker.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../../..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real CLI as a user would (`node bin/landscape.ts ...`) in `cwd` with `--state`, the admin password
 * in its environment, and `env` on top (e.g. a private TMPDIR).
 */
export async function landscapeCli(
  args: readonly string[],
  options: { cwd: string; state: string; env?: Record<string, string> },
): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [join(ROOT, 'bin/landscape.ts'), ...args, '--state', options.state],
      { env: { ...process.env, KAFKA_PASSWORD: kafkaTestEnv.password, ...options.env }, cwd: options.cwd },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** An Environment document on the shared test broker, with prune on for topics and ACLs. */
export function cliEnvironment(name: string, extra = ''): string {
  return `apiVersion: landscape.dev/v1
kind: Environment
metadata: { name: ${name} }
spec:
  kafka:
    bootstrapServers: ["${kafkaTestEnv.bootstrap}"]
    sasl: { mechanism: scram-sha-512, username: ${kafkaTestEnv.username}, password: { secretRef: { provider: env, name: KAFKA_PASSWORD } } }
  prune: { Topic: true, Acl: true }
  requireApprovalFor: none
${extra}`;
}

/** A Topic document. */
export function topicYaml(name: string, partitions = 1, config: Record<string, string> = {}): string {
  const entries = Object.entries(config)
    .map(([k, v]) => `${k}: "${v}"`)
    .join(', ');
  return `apiVersion: landscape.dev/v1
kind: Topic
metadata: { name: ${name} }
spec: { partitions: ${partitions}, replicationFactor: 1, config: { ${entries} } }
`;
}

export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
}

/** Runs git in `dir` with a fixed identity; returns stdout. */
export async function git(dir: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(
    'git',
    ['-c', 'user.name=Landscape Test', '-c', 'user.email=test@example.com', ...args],
    {
      cwd: dir,
    },
  );
  return stdout.trim();
}

/** Commits everything in the work tree and returns the commit SHA. */
export async function commitAll(dir: string, message: string): Promise<string> {
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '--allow-empty', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}
