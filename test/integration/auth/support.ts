import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AclOperations, AclPermissionTypes, ResourcePatternTypes, ResourceTypes } from '@platformatic/kafka';
import { eventually, rawAdmin } from '../../../scripts/services/kafka-broker.ts';
import { registerTestSecret } from '../../support/scan/suite-secrets.ts';

/**
 * Support for the tests that prove the authenticating test servers (scripts/services/auth.sh) accept the right
 * credentials and refuse the wrong ones, using independent real clients: Kafka's own CLI (with AWS's MSK IAM
 * library for AWS_MSK_IAM), the AWS CLI and kubectl. Those clients run as child processes with a clean
 * environment (no AWS_* or KUBECONFIG from the test run leaks in) and a private HOME (no ~/.aws, ~/.kube).
 */

/** Set by `scripts/services/up.sh auth-kafka` / `up.sh eks` through env.sh. */
export const kafkaAuthUp = Boolean(process.env.KAFKA_MTLS_BOOTSTRAP && process.env.KAFKA_LIB_DIR);
export const eksUp = Boolean(process.env.EKS_KUBECONFIG && process.env.AWSCLI);
export const notUpReason = 'start the services with `bash scripts/services/up.sh auth-kafka eks` and source env.sh';

// The generated credentials are secrets like any other: the suite-wide scan must find none of them in what the
// suite prints or leaves behind (the client properties files live in a Workdir that is removed).
for (const name of [
  'AUTH_AWS_SECRET_ACCESS_KEY',
  'AUTH_AWS_READONLY_SECRET_ACCESS_KEY',
  'AUTH_AWS_SESSION_SECRET_ACCESS_KEY',
  'AUTH_AWS_SESSION_TOKEN',
  'OAUTH_CLIENT_SECRET',
  'OAUTH_EXPIRED_CLIENT_SECRET',
  'OAUTH_WRONG_AUDIENCE_CLIENT_SECRET',
]) {
  const value = process.env[name];
  if (value) registerTestSecret(name, value);
}

export function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set: ${notUpReason}`);
  return value;
}

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for matching error messages wherever the tool printed them */
  output: string;
}

/** A private working directory (HOME, properties files); removed by `dispose` so no credential is left behind. */
export class Workdir {
  readonly path = mkdtempSync(join(tmpdir(), 'landscape-auth-'));

  file(name: string, content: string): string {
    const path = join(this.path, name);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  }

  dispose(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** Runs a command to completion with only PATH, HOME and `vars` in its environment. */
export function runClean(
  work: Workdir,
  command: string,
  args: string[],
  vars: Record<string, string> = {},
  timeoutMs = 100_000,
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: work.path,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work.path, LANG: 'C.UTF-8', ...vars },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, output: `${stdout}\n${stderr}` }));
  });
}

export interface KafkaCliOptions {
  /** extra classpath entries after Kafka's own jars: directories (all their jars) or single jar files */
  classpath?: string[];
  /** extra environment for the JVM (AWS credentials for the MSK IAM library) */
  vars?: Record<string, string>;
  /** -D flags (the OAuth URL allow-list) */
  systemProperties?: Record<string, string>;
  /** run the JVM under `faketime -f <offset>` (a client whose clock is behind, e.g. "-20m") */
  clockOffset?: string;
}

/**
 * `kafka-topics.sh --list` as the Kafka distribution runs it (org.apache.kafka.tools.TopicCommand), against
 * `bootstrap` with the client properties `props`. Lists only the topics the authenticated principal may describe.
 */
export function kafkaTopicsList(
  work: Workdir,
  bootstrap: string,
  props: Record<string, string>,
  options: KafkaCliOptions = {},
): Promise<ProcessResult> {
  const config = work.file(
    `client-${Math.random().toString(36).slice(2)}.properties`,
    Object.entries({ 'request.timeout.ms': '30000', 'default.api.timeout.ms': '60000', ...props })
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
  );
  const log4j = work.file('log4j2.properties', 'rootLogger.level = OFF\n');
  const extra = (options.classpath ?? []).map((entry) => (entry.endsWith('.jar') ? entry : `${entry}/*`));
  const classpath = [`${env('KAFKA_LIB_DIR')}/*`, ...extra].join(':');
  const jvm = [
    '-Xmx192m',
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    `-Dlog4j2.configurationFile=${log4j}`,
    ...Object.entries(options.systemProperties ?? {}).map(([k, v]) => `-D${k}=${v}`),
    '-cp',
    classpath,
    'org.apache.kafka.tools.TopicCommand',
    '--bootstrap-server',
    bootstrap,
    '--command-config',
    config,
    '--list',
  ];
  const [command, args] = options.clockOffset
    ? ['faketime', ['-f', options.clockOffset, 'java', ...jvm]]
    : ['java', jvm];
  return runClean(work, command as string, args as string[], options.vars);
}

/** Topic names a `kafka-topics --list` printed. */
export function listedTopics(result: ProcessResult): string[] {
  return result.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

/**
 * Creates `topic` and lets exactly `principal` DESCRIBE it (and read its configs) (as the SCRAM admin on the default listener), and waits
 * until the broker's authorizer and metadata show both: a later listing by that principal then names the topic
 * if, and only if, the broker authenticated the client as that principal.
 */
export async function topicVisibleOnlyTo(topic: string, principal: string): Promise<void> {
  const admin = rawAdmin('landscape-it-auth');
  try {
    await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
    const acl = {
      resourceType: ResourceTypes.TOPIC,
      resourceName: topic,
      resourcePatternType: ResourcePatternTypes.LITERAL,
      principal,
      host: '*',
      operation: AclOperations.DESCRIBE,
      permissionType: AclPermissionTypes.ALLOW,
    };
    // DESCRIBE_CONFIGS too, as any read-only grant has: test files running beside this one connect as the same
    // principal and read every topic it can see; a topic it could list but not describe would fail their plans.
    await admin.createAcls({ creations: [acl, { ...acl, operation: AclOperations.DESCRIBE_CONFIGS }] });
    const ready = await eventually(async () => {
      const topics = await admin.listTopics();
      const acls = await admin.describeAcls({ filter: acl });
      return topics.includes(topic) && acls.some((r) => r.acls.some((a) => a.principal === principal));
    }, 30_000);
    if (!ready) throw new Error(`topic ${topic} or its ACL for ${principal} never became visible`);
  } finally {
    await admin.close();
  }
}
