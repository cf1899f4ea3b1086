import { COMMANDS, COMMON_OPTIONS, type CommandSpec, type OptionSpec } from './commands.ts';
import { optionLabel } from './parse-command-line.ts';

const HEADER = 'landscape: GitOps for streaming data platforms';

const LIMITS = `Config limits (README, "What the loader reads"), raised by LANDSCAPE_MAX_CONFIG_FILE_BYTES (4 MiB),
LANDSCAPE_MAX_CONFIG_BYTES (32 MiB), LANDSCAPE_MAX_CONFIG_FILES (10000), LANDSCAPE_MAX_CONFIG_NODES (500000),
LANDSCAPE_MAX_CONFIG_DEPTH (64), LANDSCAPE_MAX_CONFIG_ALIASES (1000).`;

function optionSynopsis(option: OptionSpec): string {
  const text = `--${option.name}${option.value ? ` ${option.value}` : ''}`;
  return option.required ? text : `[${text}]`;
}

function positionalSynopsis(command: CommandSpec): string[] {
  return command.positionals.map((p) => {
    const text = p.variadic ? `${p.name}...` : p.name;
    return p.optional ? `[${text}]` : text;
  });
}

/** `plan DIR --env ENV [--out FILE] [--json]`, or the command's own synopses. */
export function synopses(command: CommandSpec): string[] {
  if (command.synopses) return command.synopses.map((s) => `${command.name} ${s}`);
  return [[command.name, ...positionalSynopsis(command), ...command.options.map(optionSynopsis)].join(' ')];
}

/** Aligned `label  description` lines, two spaces in. */
function table(rows: readonly [string, string][]): string[] {
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return rows.map(([label, text]) => `  ${label.padEnd(width)}${text}`.trimEnd());
}

function optionRows(options: readonly OptionSpec[]): [string, string][] {
  return options.map((o) => [
    `${optionLabel(o)}${o.value ? ` ${o.value}` : ''}`,
    `${o.description}${o.required ? ' (required)' : ''}`,
  ]);
}

/** `landscape --help`: every command with what it needs, the common options. */
export function globalUsage(): string {
  const commands = COMMANDS.map((c): [string, string] => [
    [c.name, ...positionalSynopsis(c), ...c.options.filter((o) => o.required).map(optionSynopsis)].join(' '),
    c.summary,
  ]);
  return [
    HEADER,
    '',
    'Usage: landscape COMMAND [ARGUMENTS] [OPTIONS]',
    '',
    'Commands:',
    ...table(commands),
    '',
    'Common options (every command):',
    ...table(optionRows(COMMON_OPTIONS)),
    '',
    "A command's options and exit codes: landscape help COMMAND (or landscape COMMAND --help).",
    '',
    LIMITS,
    '',
  ].join('\n');
}

/** `landscape plan --help`: the command's synopsis, what it does, its options. */
export function commandUsage(command: CommandSpec): string {
  const [first, ...others] = synopses(command);
  return [
    `Usage: landscape ${first}`,
    ...others.map((s) => `       landscape ${s}`),
    '',
    command.summary,
    ...(command.details ?? []),
    '',
    ...(command.options.length > 0 ? ['Options:', ...table(optionRows(command.options)), ''] : []),
    'Common options:',
    ...table(optionRows(COMMON_OPTIONS)),
    '',
  ].join('\n');
}

/** Placeholders whose values are paths: completed as file names. */
const PATH_VALUES = new Set(['DIR', 'FILE', 'OUTDIR']);

function words(options: readonly OptionSpec[]): string[] {
  return options.flatMap((o) => [`--${o.name}`, ...(o.short ? [`-${o.short}`] : [])]);
}

/**
 * A bash completion function generated from the command table (commands, each command's options, file names
 * for path arguments). zsh runs the same function through its bash compatibility (bashcompinit).
 */
function bashCompletion(): string {
  const all = [...COMMANDS.flatMap((c) => c.options), ...COMMON_OPTIONS];
  const valued = [...new Set(words(all.filter((o) => o.type !== 'boolean')))];
  const pathValued = [...new Set(words(all.filter((o) => o.value && PATH_VALUES.has(o.value))))];
  const cases = COMMANDS.map((c) => {
    const extra = c.name === 'help' ? COMMANDS.map((x) => x.name) : c.name === 'completion' ? ['bash', 'zsh'] : [];
    const completeFiles = c.positionals.length > 0 && extra.length === 0;
    return `    ${c.name}) opts="${[...words(c.options), ...words(COMMON_OPTIONS)].join(' ')}"; args="${extra.join(' ')}"; files=${completeFiles ? 1 : 0} ;;`;
  });
  return `# landscape shell completion, generated from its command table: eval "$(landscape completion bash)"
_landscape() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} cmd= i opts= args= files=0
  for ((i = 1; i < COMP_CWORD; i++)); do
    case \${COMP_WORDS[i]} in
      ${valued.join('|')}) ((i++)) ;;
      -*) ;;
      *) cmd=\${COMP_WORDS[i]}; break ;;
    esac
  done
  case $prev in
    ${pathValued.join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    ${valued.filter((w) => !pathValued.includes(w)).join('|')}) COMPREPLY=(); return ;;
  esac
  if [[ -z $cmd ]]; then
    COMPREPLY=($(compgen -W "${COMMANDS.map((c) => c.name).join(' ')} ${words(COMMON_OPTIONS).join(' ')}" -- "$cur"))
    return
  fi
  case $cmd in
${cases.join('\n')}
    *) return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [[ -n $args ]]; then
    COMPREPLY=($(compgen -W "$args" -- "$cur"))
  elif ((files)); then
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F _landscape landscape
`;
}

/** `landscape completion bash|zsh`. */
export function completionScript(shell: 'bash' | 'zsh'): string {
  if (shell === 'bash') return bashCompletion();
  return `# landscape shell completion for zsh: eval "$(landscape completion zsh)"
(( $+functions[compdef] )) || { autoload -U +X compinit && compinit; }
autoload -U +X bashcompinit && bashcompinit
${bashCompletion()}`;
}
