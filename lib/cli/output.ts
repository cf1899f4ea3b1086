import { styleText } from 'node:util';
import { type ConfigProblem, formatProblem } from '../errors.ts';
import type { ProgressListener } from '../ports/resource-provider.ts';

/** Exit codes: 0 nothing to do / success, 1 error, 2 changes (plan) or drift found (drift). */
export const EXIT = { ok: 0, error: 1, changes: 2 } as const;

/** One line on stdout. */
export const out = (text: string) => process.stdout.write(`${text}\n`);

/** Where text goes: process.stdout or process.stderr, or a test's fake terminal. */
export interface TextSink {
  isTTY?: boolean;
  write(text: string): unknown;
}

/** What the command line chose for the whole run (bin/landscape.ts sets it before a command runs). */
const choices = { noColour: false, progress: false };

/** `--no-color`: no escape codes on any stream, whatever the terminal. */
export function disableColour(): void {
  choices.noColour = true;
}

/** `--progress`: progress lines even when stderr is not a terminal (CI logs, tests that watch them). */
export function forceProgress(): void {
  choices.progress = true;
}

/**
 * Whether to colour what goes to `stream`: never with `--no-color` or a non-empty NO_COLOR (no-color.org);
 * always with FORCE_COLOR set to anything but "0"; otherwise only on a terminal that is not TERM=dumb. Pipes,
 * files and CI logs get plain text.
 */
export function colourOn(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (choices.noColour || (env.NO_COLOR ?? '') !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0';
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export type Colour = 'red' | 'green' | 'yellow' | 'bold' | 'dim';

/** `text` in `colour` when `stream` gets colours (colourOn), else unchanged. */
export function paint(colour: Colour, text: string, stream: { isTTY?: boolean } = process.stdout): string {
  return colourOn(stream) ? styleText(colour, text, { validateStream: false }) : text;
}

const CHANGE_COLOURS: Record<string, Colour> = { '+': 'green', '~': 'yellow', '-': 'red' };

/** A rendered plan with its `+ create`, `~ update` and `- delete` lines coloured (for stdout). */
export function paintPlan(text: string): string {
  if (!colourOn(process.stdout)) return text;
  return text
    .split('\n')
    .map((line) => {
      const colour = CHANGE_COLOURS[line.slice(0, 2).trim()];
      return colour && line[1] === ' ' ? paint(colour, line) : line;
    })
    .join('\n');
}

export function printProblems(problems: readonly ConfigProblem[]): void {
  for (const problem of problems)
    process.stderr.write(
      `${paint(problem.severity === 'warning' ? 'yellow' : 'red', formatProblem(problem), process.stderr)}\n`,
    );
  const errors = problems.filter((p) => p.severity !== 'warning').length;
  if (errors > 0)
    process.stderr.write(
      `\n${paint('bold', `${errors} error${errors === 1 ? '' : 's'} in the configuration.`, process.stderr)}\n`,
    );
}

/**
 * Progress lines on stderr for long operations, at most one per phase every 2 seconds (and the last one),
 * so a 10,000-topic apply shows it is alive without flooding CI logs. Only on a terminal (or with
 * `--progress`): a script or a log file gets the result, not the ticks.
 */
export function progressPrinter(stream: TextSink = process.stderr): ProgressListener {
  if (!choices.progress && stream.isTTY !== true) return () => {};
  const last = new Map<string, number>();
  return ({ phase, done, total, message }) => {
    const now = Date.now();
    if (done < total && now - (last.get(phase) ?? 0) < 2000) return;
    last.set(phase, now);
    stream.write(`  ${paint('dim', `${phase}: ${done}/${total}${message ? ` ${message}` : ''}`, stream)}\n`);
  };
}
