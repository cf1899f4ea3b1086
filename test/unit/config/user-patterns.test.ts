import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lib/config/load-config.ts';
import { formatProblem } from '../../../lib/errors.ts';
import { checkPolicies } from '../../../lib/governance/checks/policy.ts';
import { topicMatches } from '../../../lib/governance/field-patterns.ts';
import { globMatches } from '../../../lib/model/glob.ts';
import { compileLinearPattern, type LinearPattern } from '../../../lib/model/linear-pattern.ts';
import { configDir, ENVIRONMENT_YAML, topicYaml } from '../../support/builders.ts';

function compiled(source: string): LinearPattern {
  const result = compileLinearPattern(source);
  if (!result.ok) throw new Error(result.message);
  return result.pattern;
}

function policy(rules: string): string {
  return `apiVersion: landscape.dev/v1\nkind: Policy\nmetadata: { name: p }\nspec:\n  rules: ${rules}\n`;
}

async function policyProblems(files: Record<string, string>): Promise<string[]> {
  const dir = await configDir({ 'env.yaml': ENVIRONMENT_YAML, ...files });
  return checkPolicies(await loadConfig(dir, 'test'), []).problems.map((p) =>
    formatProblem(p).replaceAll(`${dir}/`, ''),
  );
}

describe('compileLinearPattern', () => {
  it('matches `^(a+)+$` against a hostile name in steps bounded by states x (length + 1)', () => {
    const pattern = compiled('^(a+)+$');
    const name = `${'a'.repeat(248)}!`;
    const { matched, steps } = pattern.run(name);
    expect(matched).toBe(false);
    expect(steps).toBeLessThanOrEqual(4 * pattern.states * (name.length + 1));
    expect(pattern.test('a'.repeat(249))).toBe(true);
  });

  it('keeps the work linear for nested and stacked quantifiers', () => {
    const text = 'a'.repeat(249);
    const cases: [string, boolean][] = [
      ['^(a|a)*$', true],
      ['^(a*)*b$', false],
      ['(.*){1,20}x', false],
      ['^([a-z]+)*\\.([a-z0-9-]+)*$', false],
      ['a*a*a*a*a*a*a*a*b', false],
    ];
    for (const [source, expected] of cases) {
      const pattern = compiled(source);
      const { matched, steps } = pattern.run(text);
      expect([source, matched]).toEqual([source, expected]);
      expect(steps).toBeLessThanOrEqual(4 * pattern.states * (text.length + 1));
    }
  });

  it('reads JavaScript syntax as JavaScript does: escapes, classes, groups, anchors and literal braces', () => {
    const cases: [string, string[]][] = [
      ['^[a-z]+\\.[a-z0-9.-]+$', ['payments.orders', 'Orders', 'a.', 'a.b', '.b']],
      ['^[a-z]+(\\.[a-z0-9-]+)*$', ['a.b.c', 'a..b', 'a', 'a.b-c.d']],
      ['ab|cd', ['xxcdx', 'abc', 'ac']],
      ['^$', ['', 'a']],
      ['^a{2,3}$', ['a', 'aa', 'aaa', 'aaaa']],
      ['^(ab){2}$', ['abab', 'ab', 'ababab']],
      ['\\bfoo\\b', ['a foo b', 'afoo', 'foo']],
      ['\\Boo', ['foo', 'oo']],
      ['^.$', ['a', '\n', '\u2028', '']],
      ['[^]', ['\n', '']],
      ['[]', ['a', '']],
      ['^(?<name>x)y$', ['xy', 'x']],
      ['\\x41\\u0042', ['AB', 'ab']],
      ['a{', ['a{', 'a']],
      ['a{2,x}', ['a{2,x}', 'aa']],
      ['^\\d{3}-\\d{4}$', ['555-1234', '55-1234']],
      ['^()*$', ['', 'a']],
      ['^(a|)+$', ['aaa', '', 'b']],
      ['\\u{2}', ['uu', 'u{2}']],
      ['^\\cJ$', ['\n', 'J']],
      ['\\c', ['\\c', 'c']],
      ['^[\\]a]+$', [']a]', 'b']],
      ['^a??b+?$', ['ab', 'b', 'abb']],
      ['^\\0$', ['\0', '0']],
      ['^\\012$', ['\n', '0']],
      ['\\k', ['k', 'x']],
      ['^[\\w.-]+@[\\w-]+$', ['a.b@c', 'a@', '\u00e9@x']],
    ];
    for (const [source, texts] of cases) {
      const pattern = compiled(source);
      for (const text of texts)
        expect([source, text, pattern.test(text)]).toEqual([source, text, new RegExp(source).test(text)]);
    }
  });

  it('answers like JavaScript on generated patterns and texts', () => {
    const atom = fc.constantFrom('a', 'b', '.', '[ab]', '[^a]', '\\w', '\\d', '-', '\\.', '(?:a|b)', '()', 'x');
    const quantifier = fc.constantFrom('', '', '*', '+', '?', '{2}', '{1,3}', '{0,}', '*?');
    const piece = fc.tuple(atom, quantifier).map(([a, q]) => `${a}${q}`);
    const branch = fc.array(piece, { maxLength: 4 }).map((pieces) => pieces.join(''));
    const group = fc
      .array(branch, { minLength: 1, maxLength: 3 })
      .chain((branches) => fc.constantFrom('', '*', '+', '?').map((q) => `(${branches.join('|')})${q}`));
    const pattern = fc
      .tuple(fc.constantFrom('', '^'), fc.array(fc.oneof(piece, group), { maxLength: 4 }), fc.constantFrom('', '$'))
      .map(([start, parts, end]) => `${start}${parts.join('')}${end}`);
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '1', '.', '-', 'x', '\n'), maxLength: 10 });
    fc.assert(
      fc.property(pattern, fc.array(text, { minLength: 1, maxLength: 5 }), (source, texts) => {
        const linear = compiled(source);
        for (const t of texts) expect([source, t, linear.test(t)]).toEqual([source, t, new RegExp(source).test(t)]);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses backreferences, lookarounds, modifiers and patterns too long or too large', () => {
    const message = (source: string) => {
      const result = compileLinearPattern(source);
      return result.ok ? 'ok' : result.message;
    };
    expect(message('(a)\\1')).toMatch(/^uses a backreference/);
    expect(message('(?<x>a)\\k<x>')).toMatch(/^uses a backreference/);
    expect(message('^(?!tmp)')).toMatch(/^uses a lookahead or lookbehind/);
    expect(message('(?<=a)b')).toMatch(/^uses a lookahead or lookbehind/);
    expect(message('(?i:a)')).toMatch(/^uses an inline modifier/);
    expect(message('a'.repeat(1001))).toBe('longer than 1000 characters (the limit)');
    expect(message('(a{100}){200}')).toMatch(/^is too complex: it expands to more than 10000 states/);
    expect(message('([a-z')).toMatch(/^not a valid regular expression: /);
  });
});

describe('globMatches', () => {
  it('answers like the regular expression it replaces', () => {
    const glob = fc.string({ unit: fc.constantFrom('a', 'b', '*', '.'), maxLength: 8 });
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'A', '.'), maxLength: 10 });
    const asRegExp = (g: string, flags: string) =>
      new RegExp(
        `^${g
          .split('*')
          .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*')}$`,
        flags,
      );
    fc.assert(
      fc.property(glob, text, (g, t) => {
        expect(globMatches(g, t)).toBe(asRegExp(g, '').test(t));
        expect(globMatches(g, t, { ignoreCase: true })).toBe(asRegExp(g, 'i').test(t));
      }),
      { numRuns: 500 },
    );
  });

  it('matches a glob of many stars against a long name (the regular expression backtracked polynomially)', () => {
    const glob = `${'*a'.repeat(12)}*b`;
    expect(globMatches(glob, 'a'.repeat(5000))).toBe(false);
    expect(topicMatches(glob, 'a'.repeat(249))).toBe(false);
    expect(topicMatches(glob, `${'a'.repeat(248)}b`)).toBe(true);
  });
});

describe('Policy patterns from a config', () => {
  it('checks `^(a+)+$` against a long name without backtracking, and reports the violation', async () => {
    const name = `${'a'.repeat(60)}.x`;
    const problems = await policyProblems({
      'p.yaml': policy('{ namePattern: "^(a+)+$" }'),
      't.yaml': topicYaml(name, '{ partitions: 1, replicationFactor: 1 }'),
    });
    expect(problems).toEqual([
      `t.yaml:3:19: Topic "${name}" metadata.name: violates Policy "p": name "${name}" does not match namePattern "^(a+)+$" (rename it to match the pattern)`,
    ]);
  });

  it('reports a pattern it cannot match in linear time at the field, saying what to use instead', async () => {
    const problems = await policyProblems({ 'p.yaml': policy('{ namePattern: "^(?!tmp)([a-z]+)\\\\1$" }') });
    expect(problems).toEqual([
      'p.yaml:5:25: Policy "p" spec.rules.namePattern: uses a lookahead or lookbehind ((?= (?! (?<= (?<!), which is not supported: it is not a regular expression that can be matched in linear time (use characters, classes, groups, alternation and quantifiers (a regular expression without backreferences or lookarounds))',
    ]);
  });

  it('matches forbiddenConfigs globs of many stars in linear time', async () => {
    const key = `x${'a'.repeat(200)}`;
    const connector = `apiVersion: landscape.dev/v1\nkind: Connector\nmetadata: { name: c }\nspec:\n  class: io.example.Source\n  config: { ${key}: "1" }\n`;
    const problems = await policyProblems({
      'p.yaml': policy(`{ forbiddenConfigs: ["${'*a'.repeat(12)}*b", "x*"] }`),
      'c.yaml': connector,
    });
    expect(problems.map((p) => p.replace(key, 'KEY'))).toEqual([
      expect.stringMatching(
        /^c\.yaml:6:\d+: Connector "c" spec\.config\.KEY: violates Policy "p": config "x+a+" is forbidden/,
      ),
    ]);
  });
});
