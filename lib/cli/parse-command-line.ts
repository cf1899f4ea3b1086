import { parseArgs } from 'node:util';
import { closest } from '../model/suggest.ts';
import { COMMANDS, COMMON_OPTIONS, type CommandSpec, findCommand, type OptionSpec } from './commands.ts';

/** A command line the command can run with: every option known to it, required ones given, integers checked. */
export interface CommandLine {
  command: CommandSpec;
  /** The positional arguments after the command name. */
  positionals: readonly string[];
  string(name: string): string | undefined;
  strings(name: string): string[] | undefined;
  flag(name: string): boolean;
  integer(name: string): number | undefined;
  /** A required option's value (the parser has refused a command line without it). */
  required(name: string): string;
}

export type ParsedCommandLine =
  | { kind: 'run'; line: CommandLine }
  /** `--help`, `help [COMMAND]`: print the usage of `command` (the global one when undefined) and exit 0. */
  | { kind: 'help'; command?: CommandSpec }
  | { kind: 'version' }
  /** Print `message`, then the usage of `command` (global when undefined), and exit 1. */
  | { kind: 'usage-error'; message: string; command?: CommandSpec };

type Value = string | boolean | string[];

const takesValue = (option: OptionSpec) => option.type !== 'boolean';

/** The options parseArgs must know to tokenise: every option of every command (values are not checked here). */
function allOptions(): Record<string, { type: 'string' | 'boolean'; short?: string }> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const option of [...COMMON_OPTIONS, ...COMMANDS.flatMap((c) => c.options)]) {
    options[option.name] = {
      type: takesValue(option) ? 'string' : 'boolean',
      ...(option.short ? { short: option.short } : {}),
    };
  }
  return options;
}

/** `--name` as the user would type it, with its short form. */
export function optionLabel(option: OptionSpec): string {
  return `${option.short ? `-${option.short}, ` : ''}--${option.name}`;
}

/** The commands that take an option, for "--approve-destructive is an option of apply". */
function commandsTaking(name: string): string[] {
  return COMMANDS.filter((c) => c.options.some((o) => o.name === name)).map((c) => c.name);
}

/**
 * Reads `landscape [OPTIONS] COMMAND [ARGUMENTS] [OPTIONS]` against the command table: the command's own
 * options and the common ones are accepted, anything else is a usage error naming the option (never a stack
 * trace). Pure: the caller prints and exits.
 */
export function parseCommandLine(args: readonly string[]): ParsedCommandLine {
  // Tokenise leniently first, with every option of every command, so that `--state DIR plan` finds the
  // command "plan" and not "DIR"; the command's own options are checked afterwards.
  const { tokens } = parseArgs({
    args: [...args],
    options: allOptions(),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const positionals: string[] = [];
  const given: { option: string; raw: string; value: string | undefined; inline: boolean }[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    else if (token.kind === 'option')
      given.push({
        option: token.name,
        raw: token.rawName,
        value: token.value,
        inline: token.inlineValue === true,
      });
  }
  const asked = (name: string) => given.some((g) => g.option === name);
  const [name, ...rest] = positionals;

  if (name === undefined) {
    if (asked('help')) return { kind: 'help' };
    if (asked('version')) return { kind: 'version' };
    const unknown = given.find((g) => !COMMON_OPTIONS.some((o) => o.name === g.option));
    if (unknown) return { kind: 'usage-error', message: `unknown option "${unknown.raw}" (it goes after a command)` };
    return { kind: 'usage-error', message: 'no command given' };
  }
  const command = findCommand(name);
  if (!command) {
    const near = closest(
      name,
      COMMANDS.map((c) => c.name),
    );
    return {
      kind: 'usage-error',
      message: `unknown command "${name}"${near ? `; did you mean "${near}"?` : ''}`,
    };
  }
  if (asked('help')) return { kind: 'help', command };
  if (asked('version')) return { kind: 'version' };

  const accepted = [...command.options, ...COMMON_OPTIONS];
  const values = new Map<string, Value>();
  for (const g of given) {
    const spec = accepted.find((o) => o.name === g.option);
    if (!spec) {
      const others = commandsTaking(g.option).filter((c) => c !== command.name);
      const hint = others.length > 0 ? ` (an option of ${others.join(', ')}, not of ${command.name})` : '';
      return { kind: 'usage-error', command, message: `unknown option "${g.raw}"${hint}` };
    }
    if (!takesValue(spec)) {
      if (g.value !== undefined)
        return { kind: 'usage-error', command, message: `option "${g.raw}" takes no value (got "${g.value}")` };
      values.set(spec.name, true);
      continue;
    }
    // `--env --json`: the lenient tokeniser took "--json" as the value; the user forgot ENV.
    if (g.value === undefined || (!g.inline && g.value.startsWith('-') && g.value.length > 1))
      return { kind: 'usage-error', command, message: `option "${g.raw}" needs a value (${spec.value ?? 'VALUE'})` };
    if (spec.type === 'integer' && !/^\d+$/.test(g.value))
      return {
        kind: 'usage-error',
        command,
        message: `option "${g.raw}" expects a whole number (${spec.value ?? 'N'}), got "${g.value}"`,
      };
    if (spec.multiple) values.set(spec.name, [...((values.get(spec.name) as string[] | undefined) ?? []), g.value]);
    else values.set(spec.name, g.value);
  }

  const required = command.positionals.filter((p) => !p.optional);
  const variadic = command.positionals.at(-1)?.variadic === true;
  if (rest.length < required.length)
    return { kind: 'usage-error', command, message: `missing ${required[rest.length]?.name ?? 'argument'}` };
  if (!variadic && rest.length > command.positionals.length)
    return {
      kind: 'usage-error',
      command,
      message: `unexpected argument "${rest[command.positionals.length]}"`,
    };

  if (command.name === 'help') {
    const topic = rest[0];
    if (topic === undefined) return { kind: 'help' };
    const about = findCommand(topic);
    return about ? { kind: 'help', command: about } : { kind: 'usage-error', message: `unknown command "${topic}"` };
  }
  if (command.name === 'completion' && rest[0] !== 'bash' && rest[0] !== 'zsh')
    return { kind: 'usage-error', command, message: `no completion for shell "${rest[0]}" (bash or zsh)` };

  const missing = command.options.find((o) => o.required && !values.has(o.name));
  if (missing)
    return { kind: 'usage-error', command, message: `missing --${missing.name} ${missing.value ?? ''}`.trim() };

  const line: CommandLine = {
    command,
    positionals: rest,
    string: (option) => {
      const value = values.get(option);
      return typeof value === 'string' ? value : undefined;
    },
    strings: (option) => {
      const value = values.get(option);
      return Array.isArray(value) ? value : undefined;
    },
    flag: (option) => values.get(option) === true,
    integer: (option) => {
      const value = values.get(option);
      return typeof value === 'string' ? Number(value) : undefined;
    },
    required: (option) => {
      const value = values.get(option);
      if (typeof value !== 'string') throw new Error(`internal: --${option} is not a required option of ${name}`);
      return value;
    },
  };
  return { kind: 'run', line };
}
