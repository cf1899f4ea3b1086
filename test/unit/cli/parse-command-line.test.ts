import { describe, expect, it } from 'vitest';
import { COMMANDS, COMMON_OPTIONS } from '../../../lib/cli/commands.ts';
import { type ParsedCommandLine, parseCommandLine } from '../../../lib/cli/parse-command-line.ts';

function run(args: string[]) {
  const parsed = parseCommandLine(args);
  if (parsed.kind !== 'run') throw new Error(`expected a runnable command line, got ${JSON.stringify(parsed)}`);
  return parsed.line;
}

function usageError(args: string[]): Extract<ParsedCommandLine, { kind: 'usage-error' }> {
  const parsed = parseCommandLine(args);
  if (parsed.kind !== 'usage-error') throw new Error(`expected a usage error, got ${parsed.kind}`);
  return parsed;
}

describe('parseCommandLine', () => {
  it("reads a command's positionals and options, long and short, before and after the command", () => {
    const line = run(['--state', 'S', 'plan', 'cfg', '-e', 'prod', '--out=plan.json', '--json']);
    expect(line.command.name).toBe('plan');
    expect(line.positionals).toEqual(['cfg']);
    expect(line.required('env')).toBe('prod');
    expect(line.string('out')).toBe('plan.json');
    expect(line.flag('json')).toBe(true);
    expect(line.string('state')).toBe('S');
  });

  it('refuses an option the command does not take, naming the commands that do', () => {
    const error = usageError(['validate', 'examples/kafka', '--approve-destructive']);
    expect(error.command?.name).toBe('validate');
    expect(error.message).toBe('unknown option "--approve-destructive" (an option of apply, not of validate)');
  });

  it('refuses an option no command takes, and a short option no command takes', () => {
    expect(usageError(['plan', 'dir', '--env', 'e', '--bogus']).message).toBe('unknown option "--bogus"');
    expect(usageError(['plan', 'dir', '--env', 'e', '-x']).message).toBe('unknown option "-x"');
    expect(usageError(['--bogus']).command).toBeUndefined();
  });

  it('refuses an unknown command with a suggestion, and no command at all', () => {
    expect(usageError(['plna']).message).toBe('unknown command "plna"; did you mean "plan"?');
    expect(usageError(['frobnicate']).message).toBe('unknown command "frobnicate"');
    expect(usageError([]).message).toBe('no command given');
  });

  it('refuses missing and surplus arguments, missing required options and values', () => {
    expect(usageError(['plan', '--env', 'e']).message).toBe('missing DIR');
    expect(usageError(['plan', 'dir']).message).toBe('missing --env ENV');
    expect(usageError(['plan', 'dir', '--env']).message).toBe('option "--env" needs a value (ENV)');
    expect(usageError(['plan', 'dir', '--env', '--json']).message).toBe('option "--env" needs a value (ENV)');
    expect(usageError(['validate', 'a', 'b']).message).toBe('unexpected argument "b"');
    expect(usageError(['validate', 'a', '--json=yes']).message).toBe(
      'unknown option "--json" (an option of plan, drift, peek, audit, doctor, not of validate)',
    );
    expect(usageError(['plan', 'a', '-e', 'x', '--json=yes']).message).toBe(
      'option "--json" takes no value (got "yes")',
    );
    expect(usageError(['import', '--from', 'julieops', '--out', 'o']).message).toBe('missing SOURCE');
  });

  it('checks whole-number options before the command runs', () => {
    expect(usageError(['peek', 'd', '--env', 'e', '--topic', 't', '--count', 'ten']).message).toBe(
      'option "--count" expects a whole number (N), got "ten"',
    );
    expect(run(['peek', 'd', '--env', 'e', '--topic', 't', '--count', '10']).integer('count')).toBe(10);
    expect(run(['serve', '--catch-up-interval', '0']).integer('catch-up-interval')).toBe(0);
  });

  it('collects repeatable options and every SOURCE', () => {
    const serve = run(['serve', '--repo', 'o/a', '--repo', 'o/b', '--branch', 'main']);
    expect(serve.strings('repo')).toEqual(['o/a', 'o/b']);
    expect(serve.strings('branch')).toEqual(['main']);
    const imported = run(['import', '--from', 'julieops', 'a.yaml', 'b.yaml', '--out', 'o']);
    expect(imported.positionals).toEqual(['a.yaml', 'b.yaml']);
  });

  it('answers --help for a command even when its arguments are missing or wrong, and help COMMAND', () => {
    expect(parseCommandLine(['plan', '--help'])).toMatchObject({ kind: 'help', command: { name: 'plan' } });
    expect(parseCommandLine(['plan', '-h', '--bogus'])).toMatchObject({ kind: 'help', command: { name: 'plan' } });
    expect(parseCommandLine(['help', 'apply'])).toMatchObject({ kind: 'help', command: { name: 'apply' } });
    expect(parseCommandLine(['help'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help' });
    expect(usageError(['help', 'nosuch']).message).toBe('unknown command "nosuch"');
  });

  it('answers --version', () => {
    expect(parseCommandLine(['--version'])).toEqual({ kind: 'version' });
    expect(parseCommandLine(['validate', '--version'])).toEqual({ kind: 'version' });
  });

  it('takes the common options with every command', () => {
    for (const command of COMMANDS) {
      const parsed = parseCommandLine([command.name, '--state', 's', '--no-color', '--progress']);
      if (parsed.kind === 'usage-error') expect(parsed.message).not.toContain('unknown option');
    }
  });

  it('has one meaning per option name and per short letter across the table', () => {
    const seen = new Map<string, string>();
    for (const option of [...COMMON_OPTIONS, ...COMMANDS.flatMap((c) => c.options)]) {
      const meaning = `${option.type === 'boolean' ? 'flag' : 'value'}:${option.short ?? ''}`;
      expect(seen.get(option.name) ?? meaning, option.name).toBe(meaning);
      seen.set(option.name, meaning);
    }
    const shorts = new Map<string, string>();
    for (const [name, meaning] of seen) {
      const short = meaning.split(':')[1];
      if (!short) continue;
      expect(shorts.get(short) ?? name, `-${short}`).toBe(name);
      shorts.set(short, name);
    }
  });
});
