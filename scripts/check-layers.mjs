#!/usr/bin/env node
// Landscape layering check: parses every import of the repository (TypeScript AST, so `import type`,
// `export ... from` and `import('...')` types are all seen) and counts imports that go the wrong way.
//
//   node scripts/check-layers.mjs [ROOT]              summary + every violation (file:line -> target)
//   node scripts/check-layers.mjs [ROOT] --quiet      only the totals
//   node scripts/check-layers.mjs [ROOT] --json       machine-readable
//   node scripts/check-layers.mjs [ROOT] --fail       exit 1 when there is a violation (CI)
//   node scripts/check-layers.mjs [ROOT] --deps       package.json dependencies vs the packages the code imports
//
// ROOT defaults to the current directory. `typescript` is loaded from ROOT/node_modules. Runs on Node >= 18.
// The rule is written out in RULE below (docs/architecture.md draws the same arrows); Biome's
// noRestrictedImports enforces them per folder in the lint, this script counts and lists them.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, posix, relative, resolve } from 'node:path';

const args = process.argv.slice(2);
const ROOT = resolve(args.find((a) => !a.startsWith('--')) ?? '.');
const flag = (f) => args.includes(f);
const ts = createRequire(join(ROOT, 'package.json'))('typescript');

// ---- Components: first match wins. `adapter:<tech>` is computed (one component per adapter folder; a file
// directly under lib/adapters/ is its own adapter, e.g. lib/adapters/concurrency.ts -> adapter:concurrency).
const COMPONENTS = [
  ['kernel', /^lib\/(errors|version)\.ts$|^lib\/errors\//],
  ['model', /^lib\/model\//],
  ['schemas', /^lib\/schemas\//],
  ['plan', /^lib\/plan\//],
  ['config', /^lib\/config\//],
  ['ports', /^lib\/ports\//],
  ['governance', /^lib\/governance\//],
  ['monitor', /^lib\/monitor\//],
  ['engine', /^lib\/engine\//],
  ['report', /^lib\/report\//], // target: the reporting module
  ['import', /^lib\/import\//], // pure converters of other tools' files (landscape import)
  ['use-cases', /^lib\/(pipeline|use-cases)\//],
  ['adapters-common', /^lib\/adapters\/common\//],
  ['adapter', /^lib\/adapters\//],
  ['wiring', /^lib\/wiring\//],
  ['cli', /^lib\/cli\//],
  ['serve', /^lib\/serve\//],
  ['functions', /^functions\//],
  ['bin', /^bin\//],
  ['infra', /^infra\//],
  ['bench', /^bench\//],
  ['test-support', /^test\/support\//],
  ['test', /^test\//],
  ['scripts', /^scripts\//],
  ['root', /^[^/]+$/],
];

function componentOf(path) {
  for (const [name, re] of COMPONENTS) {
    if (!re.test(path)) continue;
    if (name === 'adapter') {
      const rest = path.slice('lib/adapters/'.length);
      const tech = rest.includes('/') ? rest.split('/')[0] : rest.replace(/\.[mc]?[jt]s$/, '');
      return `adapter:${tech}`;
    }
    return name;
  }
  return 'other';
}

// ---- The rule: what each component may import (besides itself). `adapter:*` = any adapter.
const CORE = [
  'kernel',
  'model',
  'schemas',
  'plan',
  'config',
  'ports',
  'governance',
  'monitor',
  'engine',
  'report',
  'use-cases',
  'import',
];
const ADAPTERS = ['adapters-common', 'adapter:*'];
const RULE = {
  kernel: [],
  model: ['kernel'],
  schemas: ['kernel', 'model'],
  plan: ['kernel', 'model', 'schemas'],
  // config reads documents; published-config.ts keeps the merged config in the StateStore (a port).
  config: ['kernel', 'model', 'schemas', 'ports'],
  ports: ['kernel', 'model'],
  governance: ['kernel', 'model', 'schemas', 'plan', 'ports'],
  monitor: ['kernel', 'model', 'plan', 'config', 'ports', 'governance'],
  engine: ['kernel', 'model', 'schemas', 'plan', 'ports', 'governance'],
  report: ['kernel', 'model', 'plan', 'config', 'ports', 'governance'],
  'use-cases': ['kernel', 'model', 'schemas', 'plan', 'config', 'ports', 'governance', 'monitor', 'engine', 'report'],
  import: ['kernel', 'model', 'plan'],
  'adapters-common': ['kernel', 'model', 'ports'],
  // adapter:<tech> may import its own folder (same component) and what is listed here, never another adapter.
  // lib/schemas is a pure library of schema-format parsers (avsc, protobufjs, ajv) at the model level: the
  // registry adapter normalizes live schemas with the same code the renderer uses for desired ones.
  adapter: ['kernel', 'model', 'schemas', 'ports', 'adapters-common'],
  wiring: [...CORE, ...ADAPTERS],
  cli: [...CORE, ...ADAPTERS, 'wiring', 'serve'],
  // ADR 0013: serve runs the Lambda handler factories (functions/*/app.ts) itself.
  serve: [...CORE, ...ADAPTERS, 'wiring', 'functions'],
  functions: [...CORE, ...ADAPTERS, 'wiring'],
  bin: ['kernel', 'cli'],
  infra: [],
  bench: [...CORE, ...ADAPTERS, 'wiring', 'functions', 'scripts'],
  'test-support': [...CORE, ...ADAPTERS, 'wiring', 'cli', 'serve', 'functions', 'infra', 'bench', 'scripts'],
  test: [
    ...CORE,
    ...ADAPTERS,
    'wiring',
    'cli',
    'serve',
    'functions',
    'infra',
    'bench',
    'test-support',
    'bin',
    'scripts',
  ],
  scripts: [...CORE, ...ADAPTERS, 'wiring', 'test-support'],
  root: [...CORE, ...ADAPTERS, 'wiring', 'cli', 'serve', 'functions', 'infra', 'test-support'],
  other: [],
};

/** Violation category, for the summary. */
function category(from, to) {
  const fa = from.startsWith('adapter:') || from === 'adapters-common';
  const ta = to.startsWith('adapter:') || to === 'adapters-common';
  if (fa && ta) return 'adapter -> another adapter';
  if (fa && CORE.includes(to)) return 'adapter -> core';
  if (from === 'bench' && to.startsWith('test')) return 'bench -> test support';
  if (CORE.includes(from) && (ta || ['wiring', 'cli', 'serve', 'functions'].includes(to))) return 'core -> outer ring';
  if (CORE.includes(from) && CORE.includes(to)) return `core upward: ${from} -> ${to}`;
  return `${from} -> ${to}`;
}

function allowed(from, to) {
  if (from === to) return true;
  const key = from.startsWith('adapter:') ? 'adapter' : from;
  const list = RULE[key] ?? [];
  if (list.includes(to)) return true;
  if (to.startsWith('adapter:') && list.includes('adapter:*')) return true;
  return false;
}

// ---- Files
const SKIP = new Set(['node_modules', 'cdk.out', '.tools', '.landscape', 'coverage', '.git']);
function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const full = join(dir, name);
    const st = statSync(full);
    if (st.isDirectory()) walk(full, out);
    else if (/\.(ts|mts|mjs|js)$/.test(name) && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}
const files = walk(ROOT)
  .map((f) => relative(ROOT, f).split('\\').join('/'))
  .filter((f) => !f.startsWith('test/golden/') || f.endsWith('.ts'))
  .sort();

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const aliases = pkg.imports ?? {};

function resolveSpecifier(fromFile, spec) {
  let target;
  if (spec.startsWith('.')) {
    target = posix.normalize(posix.join(posix.dirname(fromFile), spec));
  } else if (spec.startsWith('#')) {
    for (const [pattern, replacement] of Object.entries(aliases)) {
      const to = typeof replacement === 'string' ? replacement : (replacement.default ?? replacement.import);
      if (typeof to !== 'string') continue;
      if (pattern.endsWith('*') && spec.startsWith(pattern.slice(0, -1))) {
        target = posix.normalize(to.replace('*', spec.slice(pattern.length - 1)));
      } else if (pattern === spec) target = posix.normalize(to);
      if (target) break;
    }
    if (!target) return { unresolved: spec };
  } else {
    return { package: spec };
  }
  const candidates = [target, `${target}.ts`, `${target}/index.ts`, target.replace(/\.js$/, '.ts')];
  for (const c of candidates) if (existsSync(join(ROOT, c)) && statSync(join(ROOT, c)).isFile()) return { file: c };
  return { file: target, missing: true };
}

/** Every import of a file: { spec, line, typeOnly }. */
function importsOf(file) {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const source = ts.createSourceFile(
    file,
    text,
    ts.ScriptTarget.Latest,
    true,
    file.endsWith('ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS,
  );
  const found = [];
  const lineOf = (node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      let typeOnly = Boolean(clause?.isTypeOnly);
      if (!typeOnly && clause && !clause.name && clause.namedBindings && ts.isNamedImports(clause.namedBindings)) {
        const elements = clause.namedBindings.elements;
        typeOnly = elements.length > 0 && elements.every((e) => e.isTypeOnly);
      }
      found.push({ spec: node.moduleSpecifier.text, line: lineOf(node), typeOnly });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ spec: node.moduleSpecifier.text, line: lineOf(node), typeOnly: node.isTypeOnly });
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      found.push({ spec: node.argument.literal.text, line: lineOf(node), typeOnly: true });
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === 'require')) &&
      node.arguments.length === 1 &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      found.push({ spec: node.arguments[0].text, line: lineOf(node), typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const edges = [];
const packages = new Map(); // package name -> Set(file)
for (const file of files) {
  for (const imp of importsOf(file)) {
    const r = resolveSpecifier(file, imp.spec);
    if (r.package !== undefined) {
      if (r.package.startsWith('node:')) continue;
      const name = r.package.startsWith('@') ? r.package.split('/').slice(0, 2).join('/') : r.package.split('/')[0];
      if (!packages.has(name)) packages.set(name, new Set());
      packages.get(name).add(file);
      continue;
    }
    if (!r.file) continue;
    const from = componentOf(file);
    const to = componentOf(r.file);
    edges.push({ file, line: imp.line, target: r.file, spec: imp.spec, typeOnly: imp.typeOnly, from, to });
  }
}

// ---- deps mode
if (flag('--deps')) {
  const declared = { ...(pkg.dependencies ?? {}), ...(pkg.devDependencies ?? {}) };
  const textOf = (p) => (existsSync(join(ROOT, p)) ? readFileSync(join(ROOT, p), 'utf8') : '');
  const toolText = [
    JSON.stringify(pkg.scripts ?? {}),
    textOf('cdk.json'),
    textOf('biome.json'),
    textOf('tsconfig.json'),
    ...readdirSync(join(ROOT, 'scripts'))
      .filter((f) => f.endsWith('.sh'))
      .map((f) => textOf(`scripts/${f}`)),
  ].join('\n');
  const bins = (name) => {
    try {
      const p = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8'));
      return typeof p.bin === 'string' ? [name.split('/').pop()] : Object.keys(p.bin ?? {});
    } catch {
      return [];
    }
  };
  const rows = [];
  for (const name of Object.keys(declared).sort()) {
    const importers = [...(packages.get(name) ?? [])];
    const runtime = importers.filter((f) => /^(lib|functions|bin)\//.test(f));
    const typesFor = name.startsWith('@types/') ? name.slice('@types/'.length) : undefined;
    const typesUsed =
      typesFor !== undefined && (packages.has(typesFor) || new RegExp(`"${typesFor}"`).test(textOf('tsconfig.json')));
    const toolUsed =
      bins(name).some((b) => new RegExp(`(^|[\\s"'/])${b}(\\s|$|")`, 'm').test(toolText)) ||
      (name === '@biomejs/biome' && /biome/.test(toolText));
    const kind = pkg.dependencies?.[name] ? 'dependency' : 'devDependency';
    const verdict =
      importers.length > 0 ? 'imported' : typesUsed ? 'types in use' : toolUsed ? 'tool (bin) in use' : 'UNUSED';
    rows.push({
      name,
      kind,
      verdict,
      runtime: runtime.length,
      importers: importers.length,
      example: importers[0] ?? '',
    });
  }
  const undeclared = [...packages.keys()].filter((p) => !(p in declared)).sort();
  if (flag('--json')) console.log(JSON.stringify({ rows, undeclared }, null, 2));
  else {
    for (const r of rows)
      console.log(
        `${r.kind.padEnd(14)} ${r.name.padEnd(34)} ${r.verdict.padEnd(18)} files=${String(r.importers).padStart(3)} runtime=${String(r.runtime).padStart(3)}  ${r.example}`,
      );
    console.log(
      `\nunused: ${
        rows
          .filter((r) => r.verdict === 'UNUSED')
          .map((r) => r.name)
          .join(', ') || 'none'
      }`,
    );
    console.log(`imported but not declared: ${undeclared.join(', ') || 'none'}`);
  }
  process.exit(0);
}

// ---- layering
const violations = edges.filter((e) => !allowed(e.from, e.to));
const byCategory = new Map();
for (const v of violations) {
  const c = category(v.from, v.to);
  byCategory.set(c, (byCategory.get(c) ?? 0) + 1);
}

// Component cycles (Tarjan over the component graph, all imports, type-only included).
const graph = new Map();
for (const e of edges) {
  if (e.from === e.to) continue;
  if (!graph.has(e.from)) graph.set(e.from, new Set());
  graph.get(e.from).add(e.to);
}
const cycles = [];
{
  let index = 0;
  const idx = new Map(),
    low = new Map(),
    stack = [],
    on = new Set();
  const strong = (v) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) cycles.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) strong(v);
}
const cycleEdges = edges.filter((e) => cycles.some((c) => c.includes(e.from) && c.includes(e.to) && e.from !== e.to));

const result = {
  root: ROOT,
  files: files.length,
  imports: edges.length,
  violations: violations.length,
  typeOnlyViolations: violations.filter((v) => v.typeOnly).length,
  byCategory: Object.fromEntries([...byCategory].sort((a, b) => b[1] - a[1])),
  cycles,
  cycleImports: cycleEdges.length,
  list: violations.map((v) => ({
    at: `${v.file}:${v.line}`,
    target: v.target,
    from: v.from,
    to: v.to,
    typeOnly: v.typeOnly,
  })),
  cycleList: cycleEdges.map((e) => ({ at: `${e.file}:${e.line}`, target: e.target, from: e.from, to: e.to })),
};

if (flag('--json')) {
  console.log(JSON.stringify(result, null, 2));
} else {
  console.log(
    `${result.files} files, ${result.imports} internal imports, ${result.violations} wrong-way imports (${result.typeOnlyViolations} type-only)`,
  );
  for (const [c, n] of Object.entries(result.byCategory)) console.log(`  ${String(n).padStart(3)}  ${c}`);
  console.log(
    `component cycles: ${cycles.length === 0 ? 'none' : cycles.map((c) => c.join(' <-> ')).join('; ')} (${cycleEdges.length} imports take part)`,
  );
  if (!flag('--quiet')) {
    console.log('\nwrong-way imports:');
    for (const v of result.list)
      console.log(`  ${v.at.padEnd(58)} -> ${v.target}${v.typeOnly ? '  (type)' : ''}   [${v.from} -> ${v.to}]`);
    if (cycleEdges.length > 0) {
      console.log('\nimports in component cycles:');
      for (const e of result.cycleList) console.log(`  ${e.at.padEnd(58)} -> ${e.target}   [${e.from} -> ${e.to}]`);
    }
  }
}
if (flag('--fail') && violations.length > 0) process.exit(1);
