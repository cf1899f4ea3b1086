import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CreateSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { ACCESS_LOG_FIELDS, ROUTE_THROTTLES } from '../../infra/constructs/http-api.ts';
import { S3AuditTrail } from '../../lib/adapters/aws/index.ts';
import { approvalRecord } from '../../lib/model/audit.ts';
import { WEBHOOK_HTTP_STATUS } from '../../lib/use-cases/receive-webhook.ts';
import { clients, createAuditBucket, ensureAwsServices } from '../support/aws.ts';
import { uniqueName } from '../support/unique-name.ts';

/**
 * docs/deploy.md checked against the CDK app it describes: the context keys, outputs and retained resources it
 * lists, the synth commands it shows (run as written, with `-c code=inline` added so esbuild stays out), and its
 * `aws secretsmanager` commands (run against the local Secrets Manager).
 */

const ROOT = join(import.meta.dirname, '..', '..');
const GUIDE = readFileSync(join(ROOT, 'docs', 'deploy.md'), 'utf8');
const work = mkdtempSync(join(tmpdir(), 'landscape-deploy-guide-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// ---------- reading the guide ----------

type Block = { lang: string; text: string; before: string };

/** Fenced code blocks, each with the prose paragraph just before it. */
function codeBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  // Blocks inside list items are indented: the fence's indent is removed from every line.
  const pattern = /^( *)```(\w*)\n([\s\S]*?)^\1```$/gm;
  for (let match = pattern.exec(markdown); match; match = pattern.exec(markdown)) {
    const indent = match[1] ?? '';
    const text = (match[3] ?? '').replace(new RegExp(`^${indent}`, 'gm'), '');
    const prose = markdown.slice(0, match.index).trimEnd().split(/\n\n/);
    blocks.push({ lang: match[2] ?? '', text, before: (prose.at(-1) ?? '').replace(/\s+/g, ' ') });
  }
  return blocks;
}

/** The one code block whose text contains `needle` (several or none is a broken guide). */
function blockWith(needle: string): Block {
  const found = codeBlocks(GUIDE).filter((b) => b.text.includes(needle));
  if (found.length !== 1) throw new Error(`docs/deploy.md: expected one code block with "${needle}", ${found.length}`);
  return found[0] as Block;
}

/** The text under a heading, up to the next heading of the same or a higher level (code blocks skipped). */
function section(heading: string): string {
  const lines = GUIDE.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`docs/deploy.md has no heading "${heading}"`);
  const level = heading.indexOf(' ');
  let fenced = false;
  const body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('```')) fenced = !fenced;
    const depth = /^(#+) /.exec(line)?.[1]?.length;
    if (!fenced && depth !== undefined && depth <= level) break;
    body.push(line);
  }
  return body.join('\n');
}

/** Rows of the Markdown tables of a section whose cell `column` is `code`: cells, backticks kept. */
function tableRows(text: string, column = 0): string[][] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('|---'))
    .map((line) =>
      line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim()),
    )
    .filter((cells) => /^`[^`]+`$/.test(cells[column] ?? ''));
}
const unquote = (cell: string) => cell.replace(/^`|`$/g, '');

/** `-c key=value` pairs of a shell command (line continuations joined, simple quoting). */
function contextOf(command: string): Record<string, string> {
  const words = command.replace(/\\\n/g, ' ').match(/'[^']*'|"[^"]*"|\S+/g) ?? [];
  const context: Record<string, string> = {};
  words.forEach((word, i) => {
    if (word !== '-c' && word !== '--context') return;
    const pair = (words[i + 1] ?? '').replace(/^['"]|['"]$/g, '');
    const eq = pair.indexOf('=');
    if (eq > 0) context[pair.slice(0, eq)] = pair.slice(eq + 1);
  });
  return context;
}

const contextRows = tableRows(section('### Context keys'));
const documentedKeys = contextRows.map((row) => unquote(row[0] ?? ''));
const outputRows = tableRows(section('### Outputs'));
const retainedRows = tableRows(section('## Teardown'), 1);

// ---------- running the app ----------

const FAST = { code: 'inline', nag: 'false' };
const awscli = awsCli();

/** buildApp on a fresh App with `context`; returns the app-level context keys it asked for. */
function build(context: Record<string, string>): { keys: Set<string>; template: () => Template } {
  const app = new App({ outdir: mkdtempSync(join(work, 'cdk-')), context });
  const keys = new Set<string>();
  const read = app.node.tryGetContext.bind(app.node);
  app.node.tryGetContext = (key: string) => {
    // Feature flags and CDK's own settings (`@aws-cdk/…`, `aws:cdk:…`) are not the app's keys.
    if (/^[A-Za-z][A-Za-z0-9]*$/.test(key)) keys.add(key);
    return read(key);
  };
  const stack = buildApp(app);
  return { keys, template: () => Template.fromStack(stack) };
}

describe('docs/deploy.md', () => {
  it('lists every context key infra/app.ts reads, and no other; every example synthesizes', () => {
    // Prepare
    const examples = Object.fromEntries(contextRows.map((row) => [unquote(row[0] ?? ''), unquote(row[2] ?? '')]));
    // Act: the smallest deployment, then every documented example at once (conditional keys are read too)
    const minimal = build({ allowedRepositories: 'my-org/platform-config', ...FAST });
    const everything = build({ ...examples, ...FAST });
    everything.template();
    // Assess
    const read = [...new Set([...minimal.keys, ...everything.keys])].sort();
    expect(documentedKeys.slice().sort()).toEqual(read);
    expect(new Set(documentedKeys).size).toBe(documentedKeys.length);
  });

  it('gives the defaults cdk.json sets', () => {
    const cdkJson = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
    const defaults = new Map(contextRows.map((row) => [unquote(row[0] ?? ''), row[1] ?? '']));
    for (const [key, value] of Object.entries(cdkJson.context ?? {})) {
      if (!defaults.has(key)) continue; // CLI settings such as cli-telemetry are not app keys
      expect(defaults.get(key), `default of ${key}`).toContain(`\`${String(value)}\``);
    }
  });

  describe('the synth command of "Prerequisites" (npm run synth: the CDK CLI)', () => {
    let template: {
      Outputs?: Record<string, unknown>;
      Resources: Record<string, { Type: string; DeletionPolicy?: string }>;
    };
    beforeAll(() => {
      // Prepare: the command as the guide shows it, and what `npm run synth` runs
      const command = blockWith('npm run synth -- -c allowedRepositories=').text.trim();
      expect(command).toMatch(/^npm run synth --( -c \S+)+$/);
      const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
      const script = (pkg.scripts.synth ?? '').split(/\s+/);
      expect(script[0]).toBe('cdk');
      const out = join(work, 'synth');
      // Act
      const run = spawnSync(
        join(ROOT, 'node_modules', '.bin', 'cdk'),
        [...script.slice(1), ...command.split(/\s+/).slice(4), '-c', 'code=inline', '-o', out],
        { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' } },
      );
      expect(run.status, run.stderr).toBe(0);
      template = JSON.parse(readFileSync(join(out, 'Landscape.template.json'), 'utf8'));
    }, 120_000);

    it('names every output of the stack, and no other', () => {
      expect(outputRows.map((row) => unquote(row[0] ?? '')).sort()).toEqual(Object.keys(template.Outputs ?? {}).sort());
    });

    it('lists exactly the resources kept on teardown (DeletionPolicy Retain)', () => {
      const retained = Object.entries(template.Resources)
        .filter(([, resource]) => resource.DeletionPolicy === 'Retain')
        // Logical ids are the construct path without separators, plus an 8-digit hash.
        .map(([logicalId]) => logicalId.replace(/[0-9A-F]{8}$/, ''))
        .sort();
      const documented = retainedRows.map((row) => unquote(row[1] ?? '').replaceAll('/', '')).sort();
      expect(documented).toEqual(retained);
    });

    /** Evaluates the `--query` of a guide command on a describe-stack-resources answer for this template. */
    function stackResourcesQuery(needle: string): string[] {
      const query = /--query "([^"]+)"/.exec(blockWith(needle).text.replace(/\\\n\s*/g, ''))?.[1] ?? '';
      const answer = {
        StackResources: Object.entries(template.Resources).map(([id, resource]) => ({
          LogicalResourceId: id,
          ResourceType: resource.Type,
          PhysicalResourceId: `physical-${id}`,
        })),
      };
      // The AWS CLI's own JMESPath implementation, from its venv.
      const python = join(dirname(awscli ?? ''), 'python');
      const code = 'import jmespath, json, sys; print(json.dumps(jmespath.search(sys.argv[1], json.load(sys.stdin))))';
      const run = spawnSync(python, ['-c', code, query], { input: JSON.stringify(answer), encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      return (JSON.parse(run.stdout) as string[]).map((id) => id.replace(/^physical-/, '')).sort();
    }
    const ofType = (type: string, prefix = '') =>
      Object.entries(template.Resources)
        .filter(([id, resource]) => resource.Type === type && id.startsWith(prefix))
        .map(([id]) => id);

    it.skipIf(!awscli)('finds the apply and drift functions and the queue with the queries it shows', () => {
      const functions = ['Apply', 'Drift'].flatMap((name) => ofType('AWS::Lambda::Function', `${name}Function`));
      expect(functions).toHaveLength(2);
      expect(stackResourcesQuery('update-function-configuration')).toEqual(functions.sort());
      const queues = ofType('AWS::SQS::Queue');
      expect(queues).toHaveLength(1);
      expect(stackResourcesQuery("ResourceType=='AWS::SQS::Queue'")).toEqual(queues);
    });
  });

  it('imports a VPC as shown in "The network" without creating a VPC or a NAT gateway', () => {
    const context = contextOf(blockWith('-c vpcId=').text);
    expect(Object.keys(context)).toEqual(
      expect.arrayContaining(['allowedRepositories', 'vpcId', 'privateSubnetIds', 'availabilityZones']),
    );
    const template = build({ ...context, ...FAST }).template();
    template.resourceCountIs('AWS::EC2::VPC', 0);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::Subnet', 0);
  });

  it('gives the HTTP status of every webhook outcome as the webhook answers it', () => {
    const rows = tableRows(section('### The webhook'));
    const documented = Object.fromEntries(rows.map((row) => [unquote(row[0] ?? ''), Number(row[1])]));
    expect(documented).toEqual(WEBHOOK_HTTP_STATUS);
  });

  it("gives each route's throttle and the access log fields as the HTTP API sets them", () => {
    const webhook = section('### The webhook');
    for (const [route, { rateLimit, burstLimit }] of Object.entries(ROUTE_THROTTLES)) {
      expect(webhook).toContain(
        `\`${route}\` ${rateLimit} ${route.startsWith('POST') ? 'requests ' : ''}a second (burst ${burstLimit})`,
      );
    }
    const logs = section('### Logs').replace(/\s+/g, ' ');
    const fields = /one JSON object per request with (.*?)\), and/.exec(logs)?.[1] ?? '';
    expect([...fields.matchAll(/`(\w+)`/g)].map((m) => m[1])).toEqual(Object.keys(ACCESS_LOG_FIELDS));
  });

  it('quotes log messages the functions write', () => {
    const messages = [...section('### Logs').matchAll(/^- \w+: (.*(?:\n {2}.*)*)/gm)].flatMap((m) =>
      [...(m[1] ?? '').matchAll(/`([a-z]+(?: [a-z]+)+)`/g)].map((q) => q[1] ?? ''),
    );
    // Multi-word phrases are messages; single words (`reason`, `error`) are fields.
    expect(messages.length).toBeGreaterThan(10);
    const sources = ['functions', 'lib']
      .flatMap((dir) => readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' }).map((f) => join(dir, f)))
      .filter((file) => file.endsWith('.ts'))
      .map((file) => readFileSync(join(ROOT, file), 'utf8'))
      .join('\n');
    for (const message of messages) expect(sources, message).toContain(`'${message}'`);
  });

  it('quotes the error a synth without allowedRepositories stops with', () => {
    const quoted = codeBlocks(GUIDE).find((b) => b.before.includes('Without `allowedRepositories` it stops with'));
    expect(quoted).toBeDefined();
    expect(() => build({ ...FAST })).toThrow(quoted?.text.trim() ?? '(no quote)');
  });
});

/**
 * The AWS CLI the test services install (scripts/services/auth.sh: a pinned venv under $TI_HOME), named by
 * env.sh as AWSCLI when the authentication services are up, found in the cache otherwise.
 */
function awsCli(): string | undefined {
  if (process.env.AWSCLI) return process.env.AWSCLI;
  const home = process.env.TI_HOME ?? join(homedir(), '.cache', 'test-infra');
  const venv = existsSync(home) ? readdirSync(home).find((name) => name.startsWith('venv-awscli-')) : undefined;
  const cli = venv && join(home, venv, 'bin', 'aws');
  return cli && existsSync(cli) ? cli : undefined;
}

describe('docs/deploy.md: the aws commands (local Secrets Manager and S3)', () => {
  const sm = clients.secrets();
  const secretValue = async (id: string) => (await sm.send(new GetSecretValueCommand({ SecretId: id }))).SecretString;
  const newSecret = async (value: string) =>
    (await sm.send(new CreateSecretCommand({ Name: uniqueName('landscape-guide'), SecretString: value }))).ARN ?? '';

  /** Runs a block of the guide with `aws` as the test services' AWS CLI, in a scratch directory. */
  function runBlock(text: string, env: Record<string, string> = {}): string {
    const run = spawnSync('bash', ['-euo', 'pipefail', '-c', `aws() { "$AWSCLI" "$@"; }\n${text}`], {
      cwd: work,
      encoding: 'utf8',
      env: { ...process.env, AWSCLI: awscli ?? 'aws', AWS_DEFAULT_REGION: 'us-east-1', ...env },
    });
    expect(run.status, run.stderr).toBe(0);
    return run.stdout;
  }

  beforeAll(async () => {
    if (awscli) await ensureAwsServices();
  });

  it.skipIf(!awscli)('reads the webhook secret', async () => {
    const arn = await newSecret('0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKL');
    const text = blockWith('get-secret-value --secret-id <WebhookSecretArn>').text.replace('<WebhookSecretArn>', arn);
    expect(runBlock(text).trim()).toBe('0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKL');
  });

  it.skipIf(!awscli)('replaces the GitHub credentials placeholder with a token, or with an App key file', async () => {
    const arn = await newSecret('landscape:unset');
    const token = blockWith('--secret-string "$GITHUB_TOKEN"').text.replace('<GitHubCredentialsSecretArn>', arn);
    runBlock(token, { GITHUB_TOKEN: 'github_pat_guide_test_stand_in' });
    expect(await secretValue(arn)).toBe('github_pat_guide_test_stand_in');

    const pem = '-----BEGIN RSA PRIVATE KEY-----\nguide test stand-in\n-----END RSA PRIVATE KEY-----\n';
    writeFileSync(join(work, 'my-app.private-key.pem'), pem);
    runBlock(blockWith('file://my-app.private-key.pem').text.replace('<GitHubCredentialsSecretArn>', arn));
    expect(await secretValue(arn)).toBe(pem);
  });

  it.skipIf(!awscli)('lists the newest audit records first and reads one', async () => {
    // Prepare: an audit bucket as the stack makes it, with records written by the functions' writer
    const s3 = clients.s3();
    const bucket = uniqueName('landscape-guide-audit');
    await createAuditBucket(s3, bucket);
    const trail = new S3AuditTrail({ bucket, s3 });
    const written = ['2026-01-01T00:00:00.000Z', '2026-06-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z'];
    for (const [i, at] of written.entries()) {
      await trail.append(approvalRecord({ id: `guide-${i}`, at, environment: 'production', actor: 'guide-test' }));
    }
    const [list, read] = blockWith('list-objects-v2 --bucket <AuditBucketName>')
      .text.replaceAll('<AuditBucketName>', bucket)
      .split(/\n(?=aws s3 cp)/);
    // Act
    const keys = runBlock(list ?? '')
      .trim()
      .split('\n');
    const record = JSON.parse(runBlock((read ?? '').replace('<key>', keys[0] ?? ''))) as { id: string; at: string };
    // Assess: June, March, January
    expect(keys.map((key) => key.replace(/^.*-(guide-\d)\.json$/, '$1'))).toEqual(['guide-1', 'guide-2', 'guide-0']);
    expect(record).toMatchObject({ id: 'guide-1', at: '2026-06-01T00:00:00.000Z' });
  });

  it.skipIf(!awscli)('creates a platform secret under the environment prefix', async () => {
    // The guide's name, under a prefix of this run's own: the services are shared.
    const prefix = uniqueName('landscape-guide');
    const text = blockWith('aws secretsmanager create-secret').text.replaceAll('landscape/', `${prefix}/`);
    runBlock(text);
    const value = JSON.parse((await secretValue(`${prefix}/production/kafka`)) ?? '{}') as Record<string, string>;
    expect(value.username).toBe('landscape');
    expect(Object.keys(value)).toEqual(['username', 'password']);
  });
});
