import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type EnvironmentSpec, EnvironmentSpecSchema } from '../../lib/model/environment.ts';

/** Writes files (paths relative to `dir`, folders created as needed) into `dir`. */
export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
}

/** Writes config files into a fresh temporary directory and returns its path. */
export async function configDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'landscape-test-'));
  await writeFiles(dir, files);
  return dir;
}

export const ENVIRONMENT_YAML = `apiVersion: landscape.dev/v1
kind: Environment
metadata: { name: test }
spec:
  kafka: { bootstrapServers: ["127.0.0.1:9092"] }
  prune: { Topic: true, Acl: true, Quota: true, User: true }
  requireApprovalFor: none
`;

/**
 * A Topic document. `spec` is either the spec's YAML text or partitions (default 1) and configs, with
 * replication factor 1 (the test broker is a single broker). Join several with `---\n`.
 */
export function topicYaml(
  name: string,
  spec: string | { partitions?: number; config?: Record<string, string> } = {},
): string {
  return `apiVersion: landscape.dev/v1\nkind: Topic\nmetadata: { name: ${name} }\nspec: ${typeof spec === 'string' ? spec : topicSpecYaml(spec)}\n`;
}

function topicSpecYaml({ partitions = 1, config }: { partitions?: number; config?: Record<string, string> }): string {
  const entries = Object.entries(config ?? {}).map(([key, value]) => `${key}: "${value}"`);
  return `{ partitions: ${partitions}, replicationFactor: 1${config ? `, config: { ${entries.join(', ')} }` : ''} }`;
}

/**
 * An Environment document for planning without a live system (use cases, handlers): deploys from `branch`
 * (default main), Kafka at 127.0.0.1:9092; `extra` lines go under `spec`.
 */
export function environmentYaml(options: { name?: string; branch?: string; extra?: string } = {}): string {
  return [
    'apiVersion: landscape.dev/v1',
    'kind: Environment',
    `metadata: { name: ${options.name ?? 'prod'} }`,
    'spec:',
    `  branch: ${options.branch ?? 'main'}`,
    '  kafka: { bootstrapServers: ["127.0.0.1:9092"] }',
    ...(options.extra ? [options.extra] : []),
    '',
  ].join('\n');
}

/** A Topic document starting with `---`, so that several concatenate into one file. */
export function topicDocument(name: string, partitions = 3, retention = '604800000'): string {
  return `---\n${topicYaml(name, { partitions, config: { 'retention.ms': retention } })}`;
}

/** A named, parsed Environment for engine and planner tests: Kafka at 127.0.0.1:9092 plus `spec`. */
export function testEnvironment(
  spec: Record<string, unknown> = {},
  name = 'test',
): { name: string; spec: EnvironmentSpec } {
  return { name, spec: EnvironmentSpecSchema.parse({ kafka: { bootstrapServers: ['127.0.0.1:9092'] }, ...spec }) };
}
