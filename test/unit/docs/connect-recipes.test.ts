import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../lib/config/load-config.ts';
import { formatProblem } from '../../../lib/errors.ts';
import { configDir } from '../../support/builders.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const DOC = join(ROOT, 'docs', 'connect.md');
const text = readFileSync(DOC, 'utf8');
const lines = text.split('\n');

/** The ```yaml blocks of the page, with the line (1-based) of their first YAML line. */
function yamlBlocks(markdown: string): { line: number; yaml: string }[] {
  const out: { line: number; yaml: string }[] = [];
  const all = markdown.split('\n');
  for (let i = 0; i < all.length; i++) {
    if (all[i]?.trim() !== '```yaml') continue;
    const start = i + 1;
    let end = start;
    while (end < all.length && all[end]?.trim() !== '```') end++;
    out.push({ line: start + 1, yaml: all.slice(start, end).join('\n') });
    i = end;
  }
  return out;
}

/**
 * Validates a block as `landscape validate` validates a config directory. The block is written at its own line
 * of the page (blank lines before it), so a problem reads `connect.yaml:LINE` with LINE the page's line.
 */
async function problemsOf(block: { line: number; yaml: string }): Promise<string[]> {
  const dir = await configDir({ 'connect.yaml': `${'\n'.repeat(block.line - 1)}${block.yaml}\n` });
  try {
    return (await validateConfig(dir)).map((p) =>
      formatProblem(p).replaceAll(`${dir}/connect.yaml`, 'docs/connect.md'),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const blocks = yamlBlocks(text);

describe('docs/connect.md', () => {
  it('has a YAML recipe for every platform it lists', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(10);
  });

  it.each(blocks.map((b) => [b.line, b] as const))(
    'the recipe at docs/connect.md:%i is a valid Environment',
    async (_line, block) => {
      // Act
      const problems = await problemsOf(block);
      // Assess
      expect(problems).toEqual([]);
      expect(block.yaml).toMatch(/^kind: Environment$/m);
    },
  );

  it('would report a broken recipe at its line of the page (the check is real)', async () => {
    // Prepare
    const first = blocks[0];
    if (!first) throw new Error('no yaml block');
    const broken = { ...first, yaml: first.yaml.replace('mechanism: aws-msk-iam', 'mechanism: aws-msk-iamx') };
    // Act
    const problems = await problemsOf(broken);
    // Assess
    expect(problems.join('\n')).toMatch(/^docs\/connect\.md:\d+:\d+: .*sasl/m);
  });

  it('says for every recipe what tests it, and every file it links exists', () => {
    const sections = text.split(/^### /m).slice(1);
    for (const section of sections) {
      const title = section.split('\n')[0];
      expect(section, `recipe "${title}" says how it is tested`).toMatch(/^Tested: /m);
    }
    const links = [...text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)].map((m) => m[1] as string);
    const local = links.filter((l) => !/^[a-z]+:/.test(l));
    expect(local.length).toBeGreaterThan(5);
    for (const link of local) expect(existsSync(join(dirname(DOC), link)), `${link} exists`).toBe(true);
  });

  it('has each heading once (two recipes for one thing drift apart)', () => {
    const headings = lines.filter((l) => /^#{2,3} /.test(l));
    expect(headings.filter((h, i) => headings.indexOf(h) !== i)).toEqual([]);
  });

  it('names only deploy-time settings (`-c NAME=`) that the CDK app reads', () => {
    const app = readFileSync(join(ROOT, 'infra', 'app.ts'), 'utf8');
    const names = [...new Set([...text.matchAll(/-c ([A-Za-z]+)=/g)].map((m) => m[1] as string))];
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) expect(app, `infra/app.ts reads the context value "${name}"`).toContain(`'${name}'`);
  });

  it('keeps every line of prose and YAML readable (no line over 160 characters outside commands)', () => {
    const long = lines
      .map((l, i) => ({ l, n: i + 1 }))
      .filter(({ l }) => l.length > 160 && !l.includes('`aws ') && !l.trimStart().startsWith('kafka: {'));
    expect(long.map(({ n }) => n)).toEqual([]);
  });
});
