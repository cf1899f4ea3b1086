import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AclOperations,
  type AclOperationValue,
  AclPermissionTypes,
  type Admin,
  ConfigResourceTypes,
  IncrementalAlterConfigOperationTypes,
  ResourcePatternTypes,
  ResourceTypes,
} from '@platformatic/kafka';
import { expect } from 'vitest';
import { eventually, rawAdmin } from '../../../scripts/services/kafka-broker.ts';
import { writeFiles } from '../../support/builders.ts';
import { type CliResult, landscapeCli } from '../../support/cli/landscape-cli.ts';
import { registerTestSecret } from '../../support/scan/suite-secrets.ts';

/**
 * End to end over an authenticating listener (scripts/services/RECIPES.md section 10): the real CLI plans, applies
 * and checks drift for topics under a unique prefix, connected only through the listener under test. What the
 * principal may do is granted beforehand by the SCRAM admin on the default listener, as a platform team would.
 */

/** What Landscape's admin needs on its topics: create them, read and change their configs. */
const ADMIN_OPERATIONS: readonly AclOperationValue[] = [
  AclOperations.CREATE,
  AclOperations.DESCRIBE,
  AclOperations.DESCRIBE_CONFIGS,
  AclOperations.ALTER_CONFIGS,
];

/** Lets `principal` do `operations` (default: the admin's) on topics named `prefix*`, and nothing else. */
export async function grantTopicPrefix(
  principal: string,
  prefix: string,
  operations: readonly AclOperationValue[] = ADMIN_OPERATIONS,
): Promise<void> {
  const admin = rawAdmin('landscape-it-reach-grant');
  try {
    const acls = operations.map((operation) => ({
      resourceType: ResourceTypes.TOPIC,
      resourceName: prefix,
      resourcePatternType: ResourcePatternTypes.PREFIXED,
      principal,
      host: '*',
      operation,
      permissionType: AclPermissionTypes.ALLOW,
    }));
    await admin.createAcls({ creations: acls });
    const ready = await eventually(async () => {
      const [found] = await admin
        .describeAcls({
          filter: {
            resourceType: ResourceTypes.TOPIC,
            resourceName: prefix,
            resourcePatternType: ResourcePatternTypes.PREFIXED,
            principal,
            host: '*',
            operation: AclOperations.ANY,
            permissionType: AclPermissionTypes.ANY,
          },
        })
        .then((r) => [r.flatMap((x) => x.acls)]);
      return (found?.length ?? 0) >= acls.length;
    }, 30_000);
    if (!ready) throw new Error(`the ACLs for ${principal} on ${prefix}* never became visible`);
  } finally {
    await admin.close();
  }
}

/** Removes what grantTopicPrefix granted. */
export async function revokeTopicPrefix(principal: string, prefix: string): Promise<void> {
  const admin = rawAdmin('landscape-it-reach-grant');
  try {
    await admin.deleteAcls({
      filters: [
        {
          resourceType: ResourceTypes.TOPIC,
          resourceName: prefix,
          resourcePatternType: ResourcePatternTypes.PREFIXED,
          principal,
          host: '*',
          operation: AclOperations.ANY,
          permissionType: AclPermissionTypes.ANY,
        },
      ],
    });
  } finally {
    await admin.close();
  }
}

/** A config directory and state directory for one test file, removed by `dispose`. */
export class CliWorkspace {
  dir = '';
  state = '';
  readonly #env: Record<string, string>;

  constructor(env: Record<string, string>) {
    this.#env = env;
  }

  async open(files: Record<string, string>): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'landscape-reach-'));
    this.state = await mkdtemp(join(tmpdir(), 'landscape-reach-state-'));
    await writeFiles(this.dir, files);
  }

  write(files: Record<string, string>): Promise<void> {
    return writeFiles(this.dir, files);
  }

  run(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
    return landscapeCli(args, { cwd: this.dir, state: this.state, env: { ...this.#env, ...env } });
  }

  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
    await rm(this.state, { recursive: true, force: true });
  }
}

export function topicDoc(name: string, retentionMs: number): string {
  return `apiVersion: landscape.dev/v1
kind: Topic
metadata: { name: ${name} }
spec: { partitions: 1, replicationFactor: 1, config: { retention.ms: "${retentionMs}" } }
`;
}

/** Changes a topic's retention behind Landscape's back (as the SCRAM admin), for the drift step. */
export async function alterRetentionOutOfBand(topic: string, retentionMs: number): Promise<void> {
  const admin: Admin = rawAdmin('landscape-it-reach-drift');
  try {
    await admin.incrementalAlterConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.TOPIC,
          resourceName: topic,
          configs: [
            {
              name: 'retention.ms',
              value: String(retentionMs),
              configOperation: IncrementalAlterConfigOperationTypes.SET,
            },
          ],
        },
      ],
    });
  } finally {
    await admin.close();
  }
}

/**
 * plan (2: changes) -> apply of the saved plan (0) -> plan (0: no changes) -> out-of-band change -> drift (2,
 * naming the field) -> apply (0) -> drift (0), over whichever connection `env.yaml` describes.
 */
export async function planApplyDrift(work: CliWorkspace, envName: string, topics: string[]): Promise<CliResult[]> {
  const outputs: CliResult[] = [];
  const step = async (args: string[], expected: number) => {
    const result = await work.run(args);
    outputs.push(result);
    expect(result.code, `${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(expected);
    return result;
  };
  const planned = await step(['plan', '.', '--env', envName, '--out', 'plan.json'], 2);
  expect(planned.stdout).toContain(`${topics.length} to create`);
  const applied = await step(['apply', 'plan.json'], 0);
  expect(applied.stdout).toContain(`Apply Succeeded: ${topics.length} succeeded`);
  const again = await step(['plan', '.', '--env', envName], 0);
  expect(again.stdout).toContain('No changes');

  const first = topics[0] as string;
  await alterRetentionOutOfBand(first, 1000);
  const drift = await step(['drift', '.', '--env', envName], 2);
  expect(drift.stdout).toContain(`changed  Topic ${first} config.retention.ms`);
  await step(['apply', '.', '--env', envName, '--auto-approve'], 0);
  await step(['drift', '.', '--env', envName], 0);
  return outputs;
}

/** Fails when any of `secrets` (or a line of a multi-line one, such as a PEM body) appears in the outputs. */
export function expectNoSecret(results: readonly CliResult[], secrets: readonly string[]): void {
  const text = results.map((r) => `${r.stdout}\n${r.stderr}`).join('\n');
  for (const secret of secrets) {
    const pieces = secret.includes('\n')
      ? secret.split('\n').filter((line) => line.length >= 16 && !line.startsWith('-----'))
      : [secret];
    for (const piece of pieces) expect(text.includes(piece), 'a secret value appears in the CLI output').toBe(false);
  }
}

/**
 * Registers a PEM private key with the suite-wide secret scan: the whole text, its base64 body on one line, and
 * each body line (a leak of part of a key is a leak). Returns the PEM.
 */
export function registerPemSecret(name: string, pem: string): string {
  registerTestSecret(name, pem);
  const lines = pem.split('\n').filter((line) => line.length >= 16 && !line.startsWith('-----') && !line.includes(':'));
  registerTestSecret(`${name}_BODY`, lines.join(''));
  lines.forEach((line, i) => {
    registerTestSecret(`${name}_LINE${i + 1}`, line);
  });
  return pem;
}
