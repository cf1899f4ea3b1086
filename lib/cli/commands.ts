/**
 * The CLI's commands as data: names, arguments, options and help text. The argument parser
 * (parse-command-line.ts), the usage texts and the shell completion scripts (usage.ts) are all derived from
 * this one table, so an option cannot be accepted without being documented, nor documented without being
 * accepted. It imports nothing: `landscape --help` must not load any command module (bin/landscape.ts loads a
 * command's module only when that command runs).
 */

/** `integer` options are parsed as strings and checked to be whole numbers >= 0 before the command runs. */
export type OptionType = 'string' | 'boolean' | 'integer';

export interface OptionSpec {
  name: string;
  type: OptionType;
  short?: string;
  /** May be given more than once (the command gets every value). */
  multiple?: boolean;
  /** The value's placeholder in the usage (`--env ENV`). */
  value?: string;
  /** The command refuses to run without it (reported with the command's usage). */
  required?: boolean;
  description: string;
}

export interface PositionalSpec {
  name: string;
  /** One or more (`SOURCE...`); otherwise exactly one. */
  variadic?: boolean;
  /** Also completed as a file name, not only a directory. */
  file?: boolean;
  /** May be left out (`landscape help [COMMAND]`). */
  optional?: boolean;
}

export interface CommandSpec {
  name: string;
  /** One line for the global usage. */
  summary: string;
  /** Usage lines after `landscape NAME`, when the generated one does not say it (apply takes a plan or a DIR). */
  synopses?: readonly string[];
  /** More lines for the command's own help: what it does, exit codes. */
  details?: readonly string[];
  /** Positional arguments in order (required unless `optional`). */
  positionals: readonly PositionalSpec[];
  options: readonly OptionSpec[];
}

/** Options every command takes (also before the command name). */
export const COMMON_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'state',
    type: 'string',
    value: 'DIR',
    description:
      'where plans, the applied commit, locks and audit records live (default LANDSCAPE_STATE_DIR or .landscape)',
  },
  {
    name: 'no-color',
    type: 'boolean',
    description: 'no colours (also NO_COLOR=1); colours are used only on a terminal, or with FORCE_COLOR=1',
  },
  {
    name: 'progress',
    type: 'boolean',
    description: 'progress lines of long runs on stderr even when it is not a terminal (e.g. CI logs)',
  },
  { name: 'help', type: 'boolean', short: 'h', description: 'this help' },
  { name: 'version', type: 'boolean', description: 'the version of landscape' },
];

const env = (description = 'the environment (an Environment document in DIR)'): OptionSpec => ({
  name: 'env',
  type: 'string',
  short: 'e',
  value: 'ENV',
  required: true,
  description,
});
const json = (description: string): OptionSpec => ({ name: 'json', type: 'boolean', description });
const DIR: PositionalSpec = { name: 'DIR' };

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'validate',
    summary: 'every document, every environment, renderers and governance checks; no live calls',
    details: ['Reads and parses the tree once for all environments. Exit 0 valid, 1 problems (file:line: field).'],
    positionals: [DIR],
    options: [],
  },
  {
    name: 'plan',
    summary: 'what apply would change on ENV (exit 2 when there are changes)',
    details: [
      'Exit 0 no changes, 2 changes, 1 error (a refused change is one: git asks for what apply cannot do;',
      'then no plan file is written).',
    ],
    positionals: [DIR],
    options: [
      env(),
      { name: 'out', type: 'string', short: 'o', value: 'FILE', description: 'also write the plan (JSON), for apply' },
      json('print the plan as JSON'),
    ],
  },
  {
    name: 'apply',
    summary: 'apply a saved plan, or plan DIR and apply it',
    synopses: [
      'PLAN.json [--approve-destructive] [--rollback]',
      'DIR --env ENV [--auto-approve] [--approve-destructive] [--rollback]',
    ],
    details: [
      'A plan whose live state changed since it was made is refused (PlanStale): plan again.',
      'A plan of an older commit than the applied one is refused unless --rollback.',
    ],
    positionals: [{ name: 'PLAN.json|DIR', file: true }],
    options: [
      { ...env('the environment (with DIR: plan it now)'), required: false },
      { name: 'auto-approve', type: 'boolean', description: 'with DIR: apply without asking' },
      { name: 'approve-destructive', type: 'boolean', description: 'approve the destructive changes of the plan' },
      { name: 'rollback', type: 'boolean', description: 'allow a plan of an older commit than the applied one' },
    ],
  },
  {
    name: 'drift',
    summary: 'exit 2 when the platform drifted from the applied commit',
    details: ['Exit 0 no drift; 2 drift (changes, refused changes, unmanaged grants on managed topics); 1 error.'],
    positionals: [DIR],
    options: [env(), json('print the drift plan as JSON')],
  },
  {
    name: 'export',
    summary: 'the live platform as YAML that plans to no changes',
    details: ['Users keep their secret references when --state is the one their applies used.'],
    positionals: [DIR],
    options: [
      env(),
      { name: 'out', type: 'string', short: 'o', value: 'OUTDIR', required: true, description: 'where to write YAML' },
    ],
  },
  {
    name: 'serve',
    summary: 'webhooks + operator API with an embedded store; deploys pushes',
    details: ['Secrets from the environment: LANDSCAPE_WEBHOOK_SECRET, LANDSCAPE_API_TOKEN.'],
    positionals: [],
    options: [
      { name: 'port', type: 'integer', value: 'PORT', description: 'listen port (default 8080)' },
      {
        name: 'repo',
        type: 'string',
        multiple: true,
        value: 'OWNER/NAME',
        description: 'the repository whose pushes deploy (repeatable)',
      },
      {
        name: 'branch',
        type: 'string',
        multiple: true,
        value: 'BRANCH',
        description: 'only these branches deploy (repeatable; default every branch)',
      },
      { name: 'git-base-url', type: 'string', value: 'URL', description: 'the git server (default GitHub)' },
      {
        name: 'catch-up-interval',
        type: 'integer',
        value: 'SECONDS',
        description: 'missed pushes deployed at start and this often (default 300; 0 = off)',
      },
      {
        name: 'drift-interval',
        type: 'integer',
        value: 'SECONDS',
        description:
          'the drift tick; each environment is checked when its spec.drift.schedule fired since its last check',
      },
    ],
  },
  {
    name: 'monitor',
    summary: 'alert rules from live offsets',
    positionals: [DIR],
    options: [
      env(),
      { name: 'once', type: 'boolean', description: 'evaluate once and exit' },
      { name: 'interval', type: 'integer', value: 'SECONDS', description: 'evaluate this often' },
    ],
  },
  {
    name: 'peek',
    summary: 'a few records of a topic, masked by DataPolicies',
    positionals: [DIR],
    options: [
      env(),
      { name: 'topic', type: 'string', value: 'TOPIC', required: true, description: 'the topic to read' },
      { name: 'count', type: 'integer', value: 'N', description: 'how many records' },
      json('print the records as JSON'),
    ],
  },
  {
    name: 'audit',
    summary: 'the newest audit records, newest first',
    positionals: [],
    options: [
      env('the environment'),
      { name: 'limit', type: 'integer', value: 'N', description: 'at most N records' },
      json('print the records as JSON'),
    ],
  },
  {
    name: 'unlock',
    summary: 'release the apply lock a crashed apply left',
    positionals: [],
    options: [
      env('the environment'),
      { name: 'yes', type: 'boolean', short: 'y', description: 'do not ask (required without a terminal)' },
    ],
  },
  {
    name: 'access-policy',
    summary: 'the IAM policy per principal on an aws-msk-iam environment (Kafka ACLs are not enforced there)',
    details: ['JSON; one document with --principal.'],
    positionals: [DIR],
    options: [
      env(),
      { name: 'principal', type: 'string', value: 'P', description: 'only this principal' },
      { name: 'out', type: 'string', short: 'o', value: 'FILE', description: 'write to FILE instead of stdout' },
    ],
  },
  {
    name: 'doctor',
    summary:
      'checks that every connection of ENV answers, accepts its credentials and allows what Landscape needs; says what is wrong and how to fix it (read-only; exit 1 on a failure)',
    positionals: [DIR],
    options: [
      env(),
      json('print the checks as JSON'),
      {
        name: 'repo',
        type: 'string',
        value: 'OWNER/NAME',
        description: "the repository of the GitHub check (with GITHUB_TOKEN); default the checkout's origin",
      },
      {
        name: 'timeout',
        type: 'integer',
        value: 'SECONDS',
        description: 'how long one call of a check may wait (default 10; a connection gets three times that)',
      },
    ],
  },
  {
    name: 'schema',
    summary: 'a JSON Schema per kind, for editors',
    positionals: [],
    options: [{ name: 'out', type: 'string', short: 'o', value: 'DIR', required: true, description: 'where to write' }],
  },
  {
    name: 'import',
    summary: "another tool's files as Landscape YAML, with a report of what could not be converted",
    details: [
      'TOOL: kafka-gitops, strimzi, julieops, terraform-state, jikkou (docs/import.md). A SOURCE may be a directory.',
      'What was not converted is listed on stderr with its source file:line.',
      'Exit 0 all converted; 2 written, but something was not converted; 1 a SOURCE is not in that format (nothing written).',
    ],
    positionals: [{ name: 'SOURCE', variadic: true, file: true }],
    options: [
      { name: 'from', type: 'string', value: 'TOOL', required: true, description: 'the tool that wrote SOURCE' },
      { name: 'out', type: 'string', short: 'o', value: 'DIR', required: true, description: 'where to write YAML' },
    ],
  },
  {
    name: 'completion',
    summary: 'a shell completion script: eval "$(landscape completion bash)"',
    details: ['bash: add `eval "$(landscape completion bash)"` to ~/.bashrc; zsh: the same with zsh to ~/.zshrc.'],
    positionals: [{ name: 'bash|zsh' }],
    options: [],
  },
  {
    name: 'help',
    summary: "a command's options and exit codes",
    positionals: [{ name: 'COMMAND', optional: true }],
    options: [],
  },
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((command) => command.name === name);
}
