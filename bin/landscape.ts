#!/usr/bin/env node
// The CLI's entry: parses the command line against the command table (lib/cli/commands.ts) and imports the
// chosen command's module only then, so `landscape --help` or `landscape validate` do not load the Kafka,
// Kubernetes or AWS clients (bench/cli-startup.ts measures it).
import { enableCompileCache } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { disableColour, EXIT, forceProgress, paint } from '../lib/cli/output.ts';
import { type CommandLine, parseCommandLine } from '../lib/cli/parse-command-line.ts';
import { commandUsage, completionScript, globalUsage } from '../lib/cli/usage.ts';
import { ReconcilerError } from '../lib/errors.ts';
import { TOOL_VERSION } from '../lib/version.ts';

// V8's code cache on disk (NODE_DISABLE_COMPILE_CACHE=1 turns it off): the modules a command imports below are
// compiled (and type-stripped) once, not at every start. In the user's cache directory, not Node's default of the
// temp directory: a command leaves nothing behind in the temp directory (test/integration/cli/truthful-output).
// A cache that cannot be written is only slower, so the returned status is not checked.
enableCompileCache(join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'landscape', 'compile-cache'));

/** Each command: import its module, map the parsed options to its options. */
const RUN: Record<string, (line: CommandLine) => Promise<number>> = {
  async validate(line) {
    const { validateCommand } = await import('../lib/cli/validate-command.ts');
    return validateCommand(target(line));
  },
  async plan(line) {
    const { planCommand } = await import('../lib/cli/plan-command.ts');
    return planCommand(target(line), {
      env: line.required('env'),
      ...optional('out', line.string('out')),
      ...(line.flag('json') ? { json: true } : {}),
      ...state(line),
    });
  },
  async apply(line) {
    const { applyCommand } = await import('../lib/cli/apply-command.ts');
    return applyCommand(target(line), {
      ...optional('env', line.string('env')),
      ...(line.flag('auto-approve') ? { autoApprove: true } : {}),
      ...(line.flag('approve-destructive') ? { approveDestructive: true } : {}),
      ...(line.flag('rollback') ? { rollback: true } : {}),
      ...state(line),
    });
  },
  async drift(line) {
    const { driftCommand } = await import('../lib/cli/drift-command.ts');
    return driftCommand(target(line), {
      env: line.required('env'),
      ...(line.flag('json') ? { json: true } : {}),
      ...state(line),
    });
  },
  async export(line) {
    const { exportCommand } = await import('../lib/cli/export-command.ts');
    return exportCommand(target(line), { env: line.required('env'), out: line.required('out'), ...state(line) });
  },
  async serve(line) {
    const { serveCommand } = await import('../lib/cli/serve-command.ts');
    return serveCommand({
      ...optional('port', line.integer('port')),
      ...optional('repositories', line.strings('repo')),
      ...optional('branches', line.strings('branch')),
      ...optional('catchUpIntervalSeconds', line.integer('catch-up-interval')),
      ...optional('gitBaseUrl', line.string('git-base-url')),
      ...optional('driftIntervalSeconds', line.integer('drift-interval')),
      ...state(line),
    });
  },
  async monitor(line) {
    const { monitorCommand } = await import('../lib/cli/monitor-command.ts');
    return monitorCommand(target(line), {
      env: line.required('env'),
      ...(line.flag('once') ? { once: true } : {}),
      ...optional('intervalSeconds', line.integer('interval')),
      ...state(line),
    });
  },
  async peek(line) {
    const { peekCommand } = await import('../lib/cli/peek-command.ts');
    return peekCommand(target(line), {
      env: line.required('env'),
      topic: line.required('topic'),
      ...optional('count', line.integer('count')),
      ...(line.flag('json') ? { json: true } : {}),
      ...state(line),
    });
  },
  async audit(line) {
    const { auditCommand } = await import('../lib/cli/audit-command.ts');
    return auditCommand({
      env: line.required('env'),
      ...optional('limit', line.integer('limit')),
      ...(line.flag('json') ? { json: true } : {}),
      ...state(line),
    });
  },
  async unlock(line) {
    const { unlockCommand } = await import('../lib/cli/unlock-command.ts');
    return unlockCommand({ env: line.required('env'), ...(line.flag('yes') ? { yes: true } : {}), ...state(line) });
  },
  async 'access-policy'(line) {
    const { accessPolicyCommand } = await import('../lib/cli/access-policy-command.ts');
    return accessPolicyCommand(target(line), {
      env: line.required('env'),
      ...optional('principal', line.string('principal')),
      ...optional('out', line.string('out')),
    });
  },
  async doctor(line) {
    const { doctorCommand } = await import('../lib/cli/doctor-command.ts');
    return doctorCommand(target(line), {
      env: line.required('env'),
      ...(line.flag('json') ? { json: true } : {}),
      ...optional('repo', line.string('repo')),
      ...optional('timeoutSeconds', line.integer('timeout')),
      ...state(line),
    });
  },
  async schema(line) {
    const { schemaCommand } = await import('../lib/cli/schema-command.ts');
    return schemaCommand({ out: line.required('out') });
  },
  async import(line) {
    const { importCommand } = await import('../lib/cli/import-command.ts');
    return importCommand([...line.positionals], { from: line.required('from'), out: line.required('out') });
  },
  async completion(line) {
    process.stdout.write(completionScript(line.positionals[0] === 'zsh' ? 'zsh' : 'bash'));
    return EXIT.ok;
  },
};

function target(line: CommandLine): string {
  const [first] = line.positionals;
  if (first === undefined) throw new Error(`internal: ${line.command.name} ran without its argument`);
  return first;
}

/** `{ key: value }` when given, `{}` when not (the commands' options are exactOptionalPropertyTypes). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

const state = (line: CommandLine) => optional('state', line.string('state'));

async function main(args: readonly string[]): Promise<number> {
  if (args.includes('--no-color')) disableColour();
  const parsed = parseCommandLine(args);
  switch (parsed.kind) {
    case 'help':
      process.stdout.write(parsed.command ? commandUsage(parsed.command) : globalUsage());
      return EXIT.ok;
    case 'version':
      process.stdout.write(`landscape ${TOOL_VERSION}\n`);
      return EXIT.ok;
    case 'usage-error': {
      const who = parsed.command ? `landscape ${parsed.command.name}` : 'landscape';
      process.stderr.write(`${paint('red', `${who}: ${parsed.message}`, process.stderr)}\n\n`);
      process.stderr.write(parsed.command ? commandUsage(parsed.command) : globalUsage());
      return EXIT.error;
    }
    case 'run': {
      const { line } = parsed;
      if (line.flag('progress')) forceProgress();
      const run = RUN[line.command.name];
      if (!run) throw new Error(`internal: no runner for command "${line.command.name}"`);
      return run(line);
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const text =
      error instanceof ReconcilerError
        ? `error (${error.code}): ${error.message}`
        : `error: ${error instanceof Error ? error.message : String(error)}`;
    process.stderr.write(`${paint('red', text, process.stderr)}\n`);
    if (process.env.LANDSCAPE_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.exitCode = EXIT.error;
  },
);
