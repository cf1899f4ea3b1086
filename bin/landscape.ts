#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { applyCommand } from '../lib/cli/apply-command.ts';
import { driftCommand } from '../lib/cli/drift-command.ts';
import { exportCommand } from '../lib/cli/export-command.ts';
import { EXIT } from '../lib/cli/output.ts';
import { planCommand } from '../lib/cli/plan-command.ts';
import { validateCommand } from '../lib/cli/validate-command.ts';
import { ReconcilerError } from '../lib/errors.ts';

const USAGE = `landscape: GitOps for streaming data platforms

Usage:
  landscape validate DIR
  landscape plan DIR --env ENV [--out plan.json] [--json]      exit 0 no changes, 2 changes, 1 error (a refused
                                                               change is one: git asks for what apply cannot do)
  landscape apply PLAN.json [--approve-destructive] [--rollback]
  landscape apply DIR --env ENV [--auto-approve] [--approve-destructive] [--rollback]
                                   a plan of an older commit than the applied one is refused unless --rollback
  landscape drift DIR --env ENV [--json]                          exit 2 when the platform drifted (changes,
                                                                  refused changes, unmanaged grants on managed topics)
  landscape export DIR --env ENV --out OUTDIR                     the live platform as YAML that plans to
                                                                  no changes (same --state: users keep their secret references)
  landscape serve [--port 8080] --repo OWNER/NAME [--branch BRANCH] [--git-base-url URL]
                  [--catch-up-interval SECONDS] [--drift-interval SECONDS]
                                   (secrets: LANDSCAPE_WEBHOOK_SECRET, LANDSCAPE_API_TOKEN)
                                   --branch (repeatable): only these branches deploy; default every branch
                                   --catch-up-interval: missed pushes deployed at start and this often
                                   (default 300; 0 = off)
                                   --drift-interval: the drift tick; each environment is checked when
                                   its spec.drift.schedule fired since its last check
  landscape monitor DIR --env ENV [--once] [--interval SECONDS]  alert rules from live offsets
  landscape peek DIR --env ENV --topic TOPIC [--count N] [--json] a few records, masked by DataPolicies
  landscape audit --env ENV [--limit N] [--json]                 the newest audit records, newest first
  landscape unlock --env ENV [--yes]                             release the apply lock of a crashed apply
  landscape access-policy DIR --env ENV [--principal P] [--out FILE]
                                   the IAM policy per principal on an aws-msk-iam environment, where
                                   Kafka ACLs are not enforced (JSON; one document with --principal)
  landscape doctor DIR --env ENV [--json]                        checks that every connection of ENV answers
                                                                 and allows what Landscape needs; says what is wrong
  landscape schema --out DIR                                     a JSON Schema per kind, for editors
  landscape import --from TOOL SOURCE... --out DIR               another tool's files as Landscape YAML, with a
                                                                 report of what could not be converted

Common options:
  --state DIR    where plans, the applied commit, locks and audit records live (default .landscape)

Config limits (README, "What the loader reads"), raised by LANDSCAPE_MAX_CONFIG_FILE_BYTES (4 MiB),
LANDSCAPE_MAX_CONFIG_BYTES (32 MiB), LANDSCAPE_MAX_CONFIG_FILES (10000), LANDSCAPE_MAX_CONFIG_NODES (500000),
LANDSCAPE_MAX_CONFIG_DEPTH (64), LANDSCAPE_MAX_CONFIG_ALIASES (1000).
`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    env: { type: 'string', short: 'e' },
    out: { type: 'string', short: 'o' },
    json: { type: 'boolean' },
    state: { type: 'string' },
    'auto-approve': { type: 'boolean' },
    'approve-destructive': { type: 'boolean' },
    rollback: { type: 'boolean' },
    port: { type: 'string' },
    repo: { type: 'string', multiple: true },
    branch: { type: 'string', multiple: true },
    'catch-up-interval': { type: 'string' },
    'git-base-url': { type: 'string' },
    'drift-interval': { type: 'string' },
    once: { type: 'boolean' },
    interval: { type: 'string' },
    topic: { type: 'string' },
    count: { type: 'string' },
    limit: { type: 'string' },
    yes: { type: 'boolean', short: 'y' },
    principal: { type: 'string' },
    from: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) {
    process.stderr.write(`missing ${what}\n\n${USAGE}`);
    process.exit(EXIT.error);
  }
  return value;
}

async function main(): Promise<number> {
  const [command, target] = positionals;
  const state = values.state ? { state: values.state } : {};
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  switch (command) {
    case 'validate':
      return validateCommand(need(target, 'DIR'));
    case 'plan':
      return planCommand(need(target, 'DIR'), {
        env: need(values.env, '--env'),
        ...(values.out ? { out: values.out } : {}),
        ...(values.json ? { json: true } : {}),
        ...state,
      });
    case 'apply':
      return applyCommand(need(target, 'PLAN.json or DIR'), {
        ...(values.env ? { env: values.env } : {}),
        ...(values['auto-approve'] ? { autoApprove: true } : {}),
        ...(values['approve-destructive'] ? { approveDestructive: true } : {}),
        ...(values.rollback ? { rollback: true } : {}),
        ...state,
      });
    case 'drift':
      return driftCommand(need(target, 'DIR'), {
        env: need(values.env, '--env'),
        ...(values.json ? { json: true } : {}),
        ...state,
      });
    case 'export':
      return exportCommand(need(target, 'DIR'), {
        env: need(values.env, '--env'),
        out: need(values.out, '--out'),
        ...state,
      });
    case 'serve': {
      const { serveCommand } = await import('../lib/cli/serve-command.ts');
      return serveCommand({
        ...(values.port ? { port: Number(values.port) } : {}),
        ...(values.repo ? { repositories: values.repo } : {}),
        ...(values.branch ? { branches: values.branch } : {}),
        ...(values['catch-up-interval'] !== undefined
          ? { catchUpIntervalSeconds: Number(values['catch-up-interval']) }
          : {}),
        ...(values['git-base-url'] ? { gitBaseUrl: values['git-base-url'] } : {}),
        ...(values['drift-interval'] ? { driftIntervalSeconds: Number(values['drift-interval']) } : {}),
        ...state,
      });
    }
    case 'monitor': {
      const { monitorCommand } = await import('../lib/cli/monitor-command.ts');
      return monitorCommand(need(target, 'DIR'), {
        env: need(values.env, '--env'),
        ...(values.once ? { once: true } : {}),
        ...(values.interval ? { intervalSeconds: Number(values.interval) } : {}),
        ...state,
      });
    }
    case 'peek': {
      const { peekCommand } = await import('../lib/cli/peek-command.ts');
      return peekCommand(need(target, 'DIR'), {
        env: need(values.env, '--env'),
        topic: need(values.topic, '--topic'),
        ...(values.count ? { count: Number(values.count) } : {}),
        ...(values.json ? { json: true } : {}),
        ...state,
      });
    }
    case 'audit': {
      const { auditCommand } = await import('../lib/cli/audit-command.ts');
      return auditCommand({
        env: need(values.env, '--env'),
        ...(values.limit ? { limit: Number(values.limit) } : {}),
        ...(values.json ? { json: true } : {}),
        ...state,
      });
    }
    case 'unlock': {
      const { unlockCommand } = await import('../lib/cli/unlock-command.ts');
      return unlockCommand({ env: need(values.env, '--env'), ...(values.yes ? { yes: true } : {}), ...state });
    }
    case 'access-policy': {
      const { accessPolicyCommand } = await import('../lib/cli/access-policy-command.ts');
      return accessPolicyCommand(need(target, 'DIR'), {
        env: need(values.env, '--env'),
        ...(values.principal ? { principal: values.principal } : {}),
        ...(values.out ? { out: values.out } : {}),
      });
    }
    case 'doctor': {
      const { doctorCommand } = await import('../lib/cli/doctor-command.ts');
      return doctorCommand(need(target, 'DIR'), {
        env: need(values.env, '--env'),
        ...(values.json ? { json: true } : {}),
        ...state,
      });
    }
    case 'schema': {
      const { schemaCommand } = await import('../lib/cli/schema-command.ts');
      return schemaCommand({ out: need(values.out, '--out') });
    }
    case 'import': {
      const { importCommand } = await import('../lib/cli/import-command.ts');
      const sources = positionals.slice(1);
      if (sources.length === 0) need(undefined, 'SOURCE');
      return importCommand(sources, { from: need(values.from, '--from'), out: need(values.out, '--out') });
    }
    default:
      process.stderr.write(`unknown command "${command}"\n\n${USAGE}`);
      return EXIT.error;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ReconcilerError) process.stderr.write(`error (${error.code}): ${error.message}\n`);
    else process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    if (process.env.LANDSCAPE_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.exitCode = EXIT.error;
  },
);
