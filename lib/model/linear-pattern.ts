/**
 * Regular expressions written by users (a Policy's `namePattern`) matched in time linear in the text, whatever
 * the pattern: JavaScript's backtracking engine takes exponential time on patterns such as `^(a+)+$` (a
 * 30-character name took minutes), and a config comes from a pull request.
 *
 * The pattern is parsed into the regular subset of JavaScript's syntax (characters, classes, `.`, escapes,
 * groups, alternation, `* + ? {n,m}`, `^ $ \b \B`) and run as a Thompson automaton: each text position is
 * visited once with the set of automaton states alive there, so a match costs at most states x (length + 1)
 * steps. Each single-character item (a literal, `[a-z0-9.-]`, `\d`, `.`) is tested by a one-character
 * JavaScript RegExp compiled from its own source, so characters mean exactly what they mean in JavaScript.
 * Backreferences and lookarounds are not regular and are refused. Flags are not supported (none are taken).
 */

/** Bounds on a pattern: its length, and the automaton it expands to (`{n,m}` copies its operand). */
export interface LinearPatternLimits {
  maxLength: number;
  maxStates: number;
}

export const DEFAULT_PATTERN_LIMITS: Readonly<LinearPatternLimits> = Object.freeze({
  maxLength: 1000,
  maxStates: 10_000,
});

/** A compiled pattern: `test` is RegExp.prototype.test's answer, in linear time. */
export interface LinearPattern {
  readonly source: string;
  /** Automaton states: a match costs at most states x (text length + 1) steps. */
  readonly states: number;
  test(text: string): boolean;
  /** `test`, with the number of steps it took (for tests that bound the work). */
  run(text: string): { matched: boolean; steps: number };
}

export type CompiledPattern = { ok: true; pattern: LinearPattern } | { ok: false; message: string };

type CharTest = (code: number) => boolean;
type Assertion = 'start' | 'end' | 'boundary' | 'notBoundary';

type Node =
  | { type: 'char'; test: CharTest }
  | { type: 'assert'; which: Assertion }
  | { type: 'seq'; items: Node[] }
  | { type: 'alt'; options: Node[] }
  | { type: 'repeat'; node: Node; min: number; max: number };

class UnsupportedPatternError extends Error {}

/**
 * Compiles `source` (JavaScript syntax, no flags) for linear-time matching, or says why it cannot: not a
 * valid regular expression, too long, a backreference or lookaround, or too large once expanded.
 *
 * @example
 * const compiled = compileLinearPattern('^(a+)+$');
 * compiled.ok && compiled.pattern.test(`${'a'.repeat(100)}!`); // false, after about 400 steps
 */
export function compileLinearPattern(
  source: string,
  limits: LinearPatternLimits = DEFAULT_PATTERN_LIMITS,
): CompiledPattern {
  // Plans and validate compile the same few patterns for every environment: compile each once.
  const key = `${limits.maxLength}/${limits.maxStates}/${source}`;
  const cached = COMPILED.get(key);
  if (cached) return cached;
  const compiled = compileUncached(source, limits);
  if (COMPILED.size >= COMPILED_SIZE) COMPILED.clear();
  COMPILED.set(key, compiled);
  return compiled;
}

const COMPILED = new Map<string, CompiledPattern>();
const COMPILED_SIZE = 256;

function compileUncached(source: string, limits: LinearPatternLimits): CompiledPattern {
  if (source.length > limits.maxLength)
    return { ok: false, message: `longer than ${limits.maxLength} characters (the limit)` };
  try {
    // Compiling does not run it: this only checks the syntax, with JavaScript's own messages.
    new RegExp(source);
  } catch (error) {
    return {
      ok: false,
      message: `not a valid regular expression: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  try {
    const ast = new Parser(source).parse();
    const automaton = buildAutomaton(ast, limits.maxStates);
    return { ok: true, pattern: makePattern(source, automaton) };
  } catch (error) {
    if (error instanceof UnsupportedPatternError) return { ok: false, message: error.message };
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------- parsing

const LINE_TERMINATORS = new Set([0x0a, 0x0d, 0x2028, 0x2029]);

/** A one-character test with JavaScript's meaning of `item` (`[a-z]`, `\d`, `x`), ASCII answers cached. */
function charTest(item: string): CharTest {
  const regex = new RegExp(`^(?:${item})$`);
  const ascii = new Uint8Array(128);
  for (let c = 0; c < 128; c++) ascii[c] = regex.test(String.fromCharCode(c)) ? 1 : 0;
  return (code) => (code < 128 ? ascii[code] === 1 : regex.test(String.fromCharCode(code)));
}

function literalTest(code: number): CharTest {
  return (c) => c === code;
}

const isHex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);

class Parser {
  private pos = 0;
  private readonly source: string;
  constructor(source: string) {
    this.source = source;
  }

  parse(): Node {
    const node = this.alternation();
    if (this.pos < this.source.length) throw new UnsupportedPatternError(`unexpected "${this.peek()}"`);
    return node;
  }

  private peek(offset = 0): string | undefined {
    return this.source[this.pos + offset];
  }

  private alternation(): Node {
    const options = [this.sequence()];
    while (this.peek() === '|') {
      this.pos++;
      options.push(this.sequence());
    }
    return options.length === 1 ? (options[0] as Node) : { type: 'alt', options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.pos < this.source.length && this.peek() !== '|' && this.peek() !== ')') {
      const atom = this.atom();
      items.push(this.quantified(atom));
    }
    return items.length === 1 ? (items[0] as Node) : { type: 'seq', items };
  }

  /** `{n}`, `{n,}`, `{n,m}` at the position, or undefined (then `{` is a literal, as JavaScript reads it). */
  private braces(): { min: number; max: number; length: number } | undefined {
    const match = /^\{(\d+)(,(\d*))?\}/.exec(this.source.slice(this.pos, this.pos + 40));
    if (!match) return undefined;
    const min = Number(match[1]);
    const max = match[2] === undefined ? min : match[3] === '' ? Number.POSITIVE_INFINITY : Number(match[3]);
    return { min, max, length: match[0].length };
  }

  private quantified(atom: Node): Node {
    let min: number;
    let max: number;
    const c = this.peek();
    if (c === '*') [min, max] = [0, Number.POSITIVE_INFINITY];
    else if (c === '+') [min, max] = [1, Number.POSITIVE_INFINITY];
    else if (c === '?') [min, max] = [0, 1];
    else {
      const braces = c === '{' ? this.braces() : undefined;
      if (!braces) return atom;
      this.pos += braces.length - 1;
      ({ min, max } = braces);
    }
    this.pos++;
    if (this.peek() === '?') this.pos++; // lazy: the same answer for test()
    return this.quantified({ type: 'repeat', node: atom, min, max });
  }

  private atom(): Node {
    const c = this.peek() as string;
    switch (c) {
      case '^':
        this.pos++;
        return { type: 'assert', which: 'start' };
      case '$':
        this.pos++;
        return { type: 'assert', which: 'end' };
      case '.':
        this.pos++;
        return { type: 'char', test: (code) => !LINE_TERMINATORS.has(code) };
      case '(':
        return this.group();
      case '[':
        return this.characterClass();
      case '\\':
        return this.escape();
      default:
        this.pos++;
        return { type: 'char', test: literalTest(c.charCodeAt(0)) };
    }
  }

  private group(): Node {
    this.pos++; // (
    if (this.peek() === '?') {
      const next = this.peek(1);
      if (next === ':') this.pos += 2;
      else if (next === '<' && this.peek(2) !== '=' && this.peek(2) !== '!') {
        const close = this.source.indexOf('>', this.pos);
        this.pos = close + 1; // a named group: the name does not matter to test()
      } else if (next === '=' || next === '!' || next === '<')
        throw new UnsupportedPatternError(
          'uses a lookahead or lookbehind ((?= (?! (?<= (?<!), which is not supported: it is not a regular expression that can be matched in linear time',
        );
      else throw new UnsupportedPatternError('uses an inline modifier ((?i: …)), which is not supported');
    }
    const inner = this.alternation();
    if (this.peek() !== ')') throw new UnsupportedPatternError('unbalanced parenthesis');
    this.pos++;
    return inner;
  }

  private characterClass(): Node {
    const start = this.pos;
    this.pos++; // [
    if (this.peek() === '^') this.pos++;
    // JavaScript's `[]` matches nothing and `[^]` anything: a `]` right after the opening closes the class.
    while (this.pos < this.source.length && this.peek() !== ']') this.pos += this.peek() === '\\' ? 2 : 1;
    this.pos++; // ]
    return { type: 'char', test: charTest(this.source.slice(start, this.pos)) };
  }

  private escape(): Node {
    const next = this.peek(1);
    if (next === 'b' || next === 'B') {
      this.pos += 2;
      return { type: 'assert', which: next === 'b' ? 'boundary' : 'notBoundary' };
    }
    if ((next !== undefined && next >= '1' && next <= '9') || (next === 'k' && this.peek(2) === '<'))
      throw new UnsupportedPatternError(
        'uses a backreference (\\1, \\k<name>), which is not supported: matching one can take exponential time',
      );
    // `\c` not followed by a letter is a literal backslash (then `c` is read on its own), as in JavaScript.
    if (next === 'c' && !/^[A-Za-z]$/.test(this.peek(2) ?? '')) {
      this.pos++;
      return { type: 'char', test: literalTest(0x5c) };
    }
    let length = 2;
    if (next === 'x' && isHex(this.peek(2)) && isHex(this.peek(3))) length = 4;
    else if (next === 'u' && [2, 3, 4, 5].every((i) => isHex(this.peek(i)))) length = 6;
    else if (next === 'c') length = 3;
    else if (next === '0') while (length < 4 && /^[0-7]$/.test(this.peek(length) ?? '')) length++;
    const item = this.source.slice(this.pos, this.pos + length);
    this.pos += length;
    return { type: 'char', test: charTest(item) };
  }
}

// ------------------------------------------------------------------------------------------- automaton

type State =
  | { kind: 'char'; test: CharTest; out: number }
  | { kind: 'split'; out: number; out2: number }
  | { kind: 'assert'; which: Assertion; out: number }
  | { kind: 'match' };

/** A fragment under construction: its entry state and the exits still to connect. */
interface Fragment {
  start: number;
  exits: { state: number; field: 'out' | 'out2' }[];
}

const PENDING = -1;

function buildAutomaton(ast: Node, maxStates: number): { states: State[]; start: number } {
  const states: State[] = [];
  const add = (state: State): number => {
    if (states.length >= maxStates)
      throw new UnsupportedPatternError(
        `is too complex: it expands to more than ${maxStates} states (the limit; large {n,m} counts multiply)`,
      );
    states.push(state);
    return states.length - 1;
  };
  const connect = (fragment: Fragment, target: number) => {
    for (const exit of fragment.exits) (states[exit.state] as Record<'out' | 'out2', number>)[exit.field] = target;
  };
  /** Always matches without consuming: the body of an empty group or alternative. */
  const empty = (): Fragment => {
    const state = add({ kind: 'split', out: PENDING, out2: PENDING });
    // Both exits of this split go to the same place.
    return {
      start: state,
      exits: [
        { state, field: 'out' },
        { state, field: 'out2' },
      ],
    };
  };

  const build = (node: Node): Fragment => {
    switch (node.type) {
      case 'char': {
        const state = add({ kind: 'char', test: node.test, out: PENDING });
        return { start: state, exits: [{ state, field: 'out' }] };
      }
      case 'assert': {
        const state = add({ kind: 'assert', which: node.which, out: PENDING });
        return { start: state, exits: [{ state, field: 'out' }] };
      }
      case 'seq': {
        if (node.items.length === 0) return empty();
        const fragments = node.items.map(build);
        for (let i = 0; i + 1 < fragments.length; i++)
          connect(fragments[i] as Fragment, (fragments[i + 1] as Fragment).start);
        return { start: (fragments[0] as Fragment).start, exits: (fragments.at(-1) as Fragment).exits };
      }
      case 'alt': {
        let fragment = build(node.options.at(-1) as Node);
        for (let i = node.options.length - 2; i >= 0; i--) {
          const option = build(node.options[i] as Node);
          const split = add({ kind: 'split', out: option.start, out2: fragment.start });
          fragment = { start: split, exits: [...option.exits, ...fragment.exits] };
        }
        return fragment;
      }
      case 'repeat': {
        const parts: Fragment[] = [];
        for (let i = 0; i < node.min; i++) parts.push(build(node.node));
        if (node.max === Number.POSITIVE_INFINITY) {
          // x*: a split that either enters x (which loops back to the split) or leaves.
          const body = build(node.node);
          const split = add({ kind: 'split', out: body.start, out2: PENDING });
          connect(body, split);
          parts.push({ start: split, exits: [{ state: split, field: 'out2' }] });
        } else {
          // x{0,k}: k nested optional copies (x(x(x)?)?)?, built innermost first.
          let optional: Fragment | undefined;
          for (let i = node.min; i < node.max; i++) {
            const body = build(node.node);
            if (optional) connect(body, optional.start);
            const split = add({ kind: 'split', out: body.start, out2: PENDING });
            const exits = optional ? optional.exits : body.exits;
            optional = { start: split, exits: [...exits, { state: split, field: 'out2' }] };
          }
          if (optional) parts.push(optional);
        }
        if (parts.length === 0) return empty();
        for (let i = 0; i + 1 < parts.length; i++) connect(parts[i] as Fragment, (parts[i + 1] as Fragment).start);
        return { start: (parts[0] as Fragment).start, exits: (parts.at(-1) as Fragment).exits };
      }
    }
  };

  const fragment = build(ast);
  const match = add({ kind: 'match' });
  connect(fragment, match);
  return { states, start: fragment.start };
}

// -------------------------------------------------------------------------------------------- matching

const WORD = /^\w$/;
const isWordAt = (text: string, index: number) => index >= 0 && index < text.length && WORD.test(text[index] as string);

const KIND_CHAR = 0;
const KIND_SPLIT = 1;
const KIND_ASSERT = 2;
const KIND_MATCH = 3;

/** Answers remembered per pattern: validate checks the same names in every environment. */
const MEMO_SIZE = 65_536;

function makePattern(source: string, automaton: { states: State[]; start: number }): LinearPattern {
  const { start } = automaton;
  const count = automaton.states.length;
  // The automaton as flat arrays, and work buffers reused by every run (a run is synchronous).
  const kind = new Uint8Array(count);
  const out = new Int32Array(count);
  const out2 = new Int32Array(count);
  const tests: CharTest[] = [];
  const assertions: Assertion[] = [];
  automaton.states.forEach((state, index) => {
    if (state.kind === 'char') [kind[index], out[index], tests[index]] = [KIND_CHAR, state.out, state.test];
    else if (state.kind === 'split') [kind[index], out[index], out2[index]] = [KIND_SPLIT, state.out, state.out2];
    else if (state.kind === 'assert')
      [kind[index], out[index], assertions[index]] = [KIND_ASSERT, state.out, state.which];
    else kind[index] = KIND_MATCH;
  });
  const mark = new Int32Array(count);
  let generation = 0;
  const stack = new Int32Array(2 * count + 2);
  let current = new Int32Array(count);
  let next = new Int32Array(count);
  const memo = new Map<string, boolean>();

  const run = (text: string): { matched: boolean; steps: number } => {
    let steps = 0;
    let matched = false;
    let currentLength = 0;
    let nextLength = 0;
    if (generation > 0x3fff_ffff - text.length - 2) {
      mark.fill(0);
      generation = 0;
    }
    const base = generation + 1;
    generation += text.length + 2;
    /** Adds `index` and what it reaches without consuming to the set of `position` (each state once). */
    const addState = (index: number, position: number, toNext: boolean): void => {
      let top = 0;
      stack[top++] = index;
      while (top > 0) {
        const s = stack[--top] as number;
        steps++;
        if (mark[s] === base + position) continue;
        mark[s] = base + position;
        switch (kind[s]) {
          case KIND_SPLIT:
            stack[top++] = out2[s] as number;
            stack[top++] = out[s] as number;
            break;
          case KIND_ASSERT:
            if (holds(assertions[s] as Assertion, text, position)) stack[top++] = out[s] as number;
            break;
          case KIND_MATCH:
            matched = true;
            break;
          default:
            if (toNext) next[nextLength++] = s;
            else current[currentLength++] = s;
        }
      }
    };
    for (let position = 0; position <= text.length; position++) {
      // A match may start anywhere, as RegExp.prototype.test searches.
      addState(start, position, false);
      if (matched || position === text.length) break;
      const code = text.charCodeAt(position);
      for (let i = 0; i < currentLength; i++) {
        const s = current[i] as number;
        steps++;
        if ((tests[s] as CharTest)(code)) addState(out[s] as number, position + 1, true);
      }
      if (matched) break;
      [current, next] = [next, current];
      currentLength = nextLength;
      nextLength = 0;
    }
    return { matched, steps };
  };
  const test = (text: string): boolean => {
    const known = memo.get(text);
    if (known !== undefined) return known;
    const { matched } = run(text);
    if (memo.size >= MEMO_SIZE) memo.clear();
    memo.set(text, matched);
    return matched;
  };
  return { source, states: count, test, run };
}

function holds(which: Assertion, text: string, position: number): boolean {
  switch (which) {
    case 'start':
      return position === 0;
    case 'end':
      return position === text.length;
    case 'boundary':
      return isWordAt(text, position - 1) !== isWordAt(text, position);
    case 'notBoundary':
      return isWordAt(text, position - 1) === isWordAt(text, position);
  }
}
