import { describe, expect, it, vi } from 'vitest';

/** output.ts keeps the command line's choices for the run: a fresh module per test. */
async function output() {
  vi.resetModules();
  return import('../../../lib/cli/output.ts');
}

const tty = { isTTY: true };
const pipe = { isTTY: false };

describe('colours', () => {
  it('are used on a terminal only, unless FORCE_COLOR', async () => {
    const { colourOn } = await output();
    expect(colourOn(tty, {})).toBe(true);
    expect(colourOn(pipe, {})).toBe(false);
    expect(colourOn(tty, { TERM: 'dumb' })).toBe(false);
    expect(colourOn(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(colourOn(tty, { FORCE_COLOR: '0' })).toBe(false);
  });

  it('are never used with NO_COLOR (non-empty) or --no-color', async () => {
    const { colourOn, disableColour } = await output();
    expect(colourOn(tty, { NO_COLOR: '1' })).toBe(false);
    expect(colourOn(tty, { NO_COLOR: '1', FORCE_COLOR: '1' })).toBe(false);
    expect(colourOn(tty, { NO_COLOR: '' })).toBe(true);
    disableColour();
    expect(colourOn(tty, {})).toBe(false);
    expect(colourOn(tty, { FORCE_COLOR: '1' })).toBe(false);
  });
});

describe('progress lines', () => {
  function stderr(isTTY: boolean) {
    const lines: string[] = [];
    return { lines, isTTY, write: (text: string) => lines.push(text) };
  }

  it('are printed on a terminal', async () => {
    const { progressPrinter } = await output();
    const sink = stderr(true);
    progressPrinter(sink)({ phase: 'kafka: creating topics', done: 3, total: 3 });
    expect(sink.lines.join('')).toContain('kafka: creating topics: 3/3');
  });

  it('are not printed when stderr is not a terminal, unless --progress', async () => {
    const { progressPrinter, forceProgress } = await output();
    const sink = stderr(false);
    progressPrinter(sink)({ phase: 'kafka: creating topics', done: 3, total: 3 });
    expect(sink.lines).toEqual([]);
    forceProgress();
    progressPrinter(sink)({ phase: 'kafka: creating topics', done: 3, total: 3 });
    expect(sink.lines.join('')).toContain('kafka: creating topics: 3/3');
  });
});

describe('plan text', () => {
  it('colours create, update and delete lines, and nothing else', async () => {
    const { paintPlan } = await output();
    const text = '+ create Topic a\n~ update Topic b\n- delete Topic c\n  partitions: 1 -> 2\n-- not a change';
    vi.stubEnv('FORCE_COLOR', '1');
    vi.stubEnv('NO_COLOR', '');
    const painted = paintPlan(text).split('\n');
    vi.unstubAllEnvs();
    expect(painted[0]).toBe('\u001b[32m+ create Topic a\u001b[39m');
    expect(painted[1]).toBe('\u001b[33m~ update Topic b\u001b[39m');
    expect(painted[2]).toBe('\u001b[31m- delete Topic c\u001b[39m');
    expect(painted.slice(3)).toEqual(['  partitions: 1 -> 2', '-- not a change']);
    vi.stubEnv('NO_COLOR', '1');
    expect(paintPlan(text)).toBe(text);
    vi.unstubAllEnvs();
  });
});
