import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { COMMANDS, COMMON_OPTIONS, type CommandSpec, findCommand } from '../../../lib/cli/commands.ts';
import { commandUsage, completionScript, globalUsage } from '../../../lib/cli/usage.ts';

const run = promisify(execFile);

function command(name: string): CommandSpec {
  const found = findCommand(name);
  if (!found) throw new Error(`no command ${name}`);
  return found;
}

describe('usage texts from the command table', () => {
  it('lists every command in the global usage, and every option in its command usage', () => {
    const global = globalUsage();
    for (const command of COMMANDS) {
      expect(global).toMatch(new RegExp(`^  ${command.name}\\b`, 'm'));
      const usage = commandUsage(command);
      expect(usage).toContain(`Usage: landscape ${command.name}`);
      for (const option of [...command.options, ...COMMON_OPTIONS]) expect(usage).toContain(`--${option.name}`);
    }
  });

  it('shows both forms of apply and marks required options', () => {
    const apply = commandUsage(command('apply'));
    expect(apply).toContain('Usage: landscape apply PLAN.json [--approve-destructive] [--rollback]');
    expect(apply).toContain('       landscape apply DIR --env ENV [--auto-approve]');
    const plan = commandUsage(command('plan'));
    expect(plan).toMatch(/-e, --env ENV +the environment .*\(required\)/);
  });
});

/** Runs the generated bash completion for the words typed so far (the last one is being completed). */
async function complete(...typed: string[]): Promise<string[]> {
  const script = `${completionScript('bash')}
COMP_WORDS=(landscape ${typed.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${typed.length}
_landscape; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const { stdout } = await run('bash', ['-c', script], { cwd: import.meta.dirname });
  return stdout.split('\n').filter(Boolean);
}

describe('bash completion', () => {
  it('completes command names, then that command’s options', async () => {
    expect(await complete('pl')).toEqual(['plan']);
    expect(await complete('plan', 'dir', '--e')).toEqual(['--env']);
    expect(await complete('validate', 'dir', '--approve')).toEqual([]);
    expect(await complete('apply', 'plan.json', '--approve')).toEqual(['--approve-destructive']);
  });

  it('finds the command after common options with values, and completes help and completion arguments', async () => {
    expect(await complete('--state', 'st', 'drift', '--j')).toEqual(['--json']);
    expect(await complete('help', 'acc')).toEqual(['access-policy']);
    expect(await complete('completion', 'z')).toEqual(['zsh']);
  });

  it('completes file names for paths and nothing for free values', async () => {
    expect(await complete('validate', 'usage.te')).toEqual(['usage.test.ts']);
    expect(await complete('plan', 'd', '--out', 'usage.te')).toEqual(['usage.test.ts']);
    expect(await complete('plan', 'd', '--env', 'usage.te')).toEqual([]);
  });

  it('gives zsh the same function through bashcompinit', () => {
    const zsh = completionScript('zsh');
    expect(zsh).toContain('bashcompinit');
    expect(zsh).toContain(completionScript('bash'));
  });
});
