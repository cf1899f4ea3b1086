import type { ConfigProblem } from '../../errors.ts';
import { type ConfigDocument, KINDS, type Kind } from '../../model/documents.ts';
import { globMatches } from '../../model/glob.ts';
import { compileLinearPattern, type LinearPattern } from '../../model/linear-pattern.ts';
import type { PolicySpec } from '../../model/policy.ts';
import { didYouMean } from '../../model/suggest.ts';
import { documentKindModule } from '../../plan/kinds/index.ts';
import type { PolicyFacts } from '../../plan/kinds/kind-module.ts';
import type { ConfigCheck } from './types.ts';

type Rules = PolicySpec['rules'];
type RuleName = keyof Rules;

/**
 * Which kinds each rule is checked on when a Policy lists no `kinds`. Sizes and configs only exist on topics
 * (and connector configs); names and labels make sense on everything that becomes a platform resource (the
 * document kinds whose module has the role `resource`), but not on the documents that configure Landscape
 * itself (Environment, Policy).
 */
const RESOURCE_DOCUMENT_KINDS: readonly Kind[] = KINDS.filter((kind) => documentKindModule(kind).role === 'resource');
const DEFAULT_KINDS: Record<RuleName, readonly Kind[]> = {
  namePattern: ['Topic', 'User', 'Schema', 'Connector', 'App'],
  minPartitions: ['Topic'],
  maxPartitions: ['Topic'],
  minReplicationFactor: ['Topic'],
  maxReplicationFactor: ['Topic'],
  minRetentionMs: ['Topic'],
  maxRetentionMs: ['Topic'],
  requiredLabels: RESOURCE_DOCUMENT_KINDS,
  forbiddenConfigs: ['Topic', 'Connector'],
};

/** Where a rule may apply at all: `kinds: [User]` with `maxPartitions` checks nothing rather than failing. */
function applies(policy: ConfigDocument<'Policy'>, rule: RuleName, kind: Kind): boolean {
  const kinds = policy.spec.kinds ?? DEFAULT_KINDS[rule];
  return kinds.includes(kind);
}

/** `604800000` -> `7d` style hints, so limits read like people think about retention. */
function humanMs(ms: number): string {
  if (ms < 0) return 'infinite';
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

interface Violation {
  path: (string | number)[];
  field: string;
  message: string;
  hint?: string;
}

/** Sizes and retention, on the kinds whose module states them (topics). */
function sizeViolations(policy: ConfigDocument<'Policy'>, kind: Kind, facts: PolicyFacts): Violation[] {
  const rules = policy.spec.rules;
  const out: Violation[] = [];
  const limit = (
    rule: RuleName,
    bound: number | undefined,
    value: number | undefined,
    field: 'partitions' | 'replicationFactor',
    below: boolean,
  ) => {
    if (bound === undefined || value === undefined || !applies(policy, rule, kind)) return;
    if (below ? value < bound : value > bound) {
      out.push({
        path: ['spec', field],
        field: `spec.${field}`,
        message: `${value} is ${below ? 'below' : 'above'} ${rule} ${bound}`,
        hint: `use ${below ? 'at least' : 'at most'} ${bound}`,
      });
    }
  };
  limit('minPartitions', rules.minPartitions, facts.partitions, 'partitions', true);
  limit('maxPartitions', rules.maxPartitions, facts.partitions, 'partitions', false);
  const replication = facts.replicationFactor;
  if (replication === 'default') {
    // The broker's default.replication.factor is unknown when planning: a limit on it would pass unchecked.
    for (const [rule, bound] of [
      ['minReplicationFactor', rules.minReplicationFactor],
      ['maxReplicationFactor', rules.maxReplicationFactor],
    ] as const) {
      if (bound === undefined || !applies(policy, rule, kind)) continue;
      out.push({
        path: ['spec', 'replicationFactor'],
        field: 'spec.replicationFactor',
        message: `the broker's default replication factor can not be checked against ${rule} ${bound}`,
        hint: `set a replication factor of ${rule === 'minReplicationFactor' ? 'at least' : 'at most'} ${bound}`,
      });
    }
  } else {
    limit('minReplicationFactor', rules.minReplicationFactor, replication, 'replicationFactor', true);
    limit('maxReplicationFactor', rules.maxReplicationFactor, replication, 'replicationFactor', false);
  }

  // Only the declared retention is checked: an undeclared one is the broker default, which the plan does
  // not know (DESIGN.md: compare only what the user declared).
  const declared = facts.retentionMs;
  if (declared !== undefined && /^-?\d+$/.test(declared)) {
    const retention = Number(declared);
    const infinite = retention < 0;
    const path = ['spec', 'config', 'retention.ms'];
    const field = 'spec.config.retention.ms';
    if (rules.maxRetentionMs !== undefined && applies(policy, 'maxRetentionMs', kind)) {
      if (infinite || retention > rules.maxRetentionMs) {
        out.push({
          path,
          field,
          message: `retention ${humanMs(retention)} (${declared}) is above maxRetentionMs ${rules.maxRetentionMs} (${humanMs(rules.maxRetentionMs)})`,
          hint: `use at most ${rules.maxRetentionMs}`,
        });
      }
    }
    if (rules.minRetentionMs !== undefined && applies(policy, 'minRetentionMs', kind)) {
      if (!infinite && retention < rules.minRetentionMs) {
        out.push({
          path,
          field,
          message: `retention ${humanMs(retention)} (${declared}) is below minRetentionMs ${rules.minRetentionMs} (${humanMs(rules.minRetentionMs)})`,
          hint: `use at least ${rules.minRetentionMs}`,
        });
      }
    }
  }
  return out;
}

function configViolations(policy: ConfigDocument<'Policy'>, kind: Kind, config: Record<string, unknown>): Violation[] {
  const forbidden = policy.spec.rules.forbiddenConfigs;
  if (!forbidden || forbidden.length === 0 || !applies(policy, 'forbiddenConfigs', kind)) return [];
  const out: Violation[] = [];
  for (const key of Object.keys(config).sort()) {
    const rule = forbidden.find((f) => globMatches(f, key));
    if (rule === undefined) continue;
    out.push({
      path: ['spec', 'config', key],
      field: `spec.config.${key}`,
      message: `config "${key}" is forbidden${rule === key ? '' : ` (forbiddenConfigs "${rule}")`}`,
      hint: `remove "${key}"`,
    });
  }
  return out;
}

function commonViolations(
  policy: ConfigDocument<'Policy'>,
  doc: ConfigDocument,
  namePattern: LinearPattern | undefined,
): Violation[] {
  const out: Violation[] = [];
  const rules = policy.spec.rules;
  if (namePattern && applies(policy, 'namePattern', doc.kind) && !namePattern.test(doc.metadata.name)) {
    out.push({
      path: ['metadata', 'name'],
      field: 'metadata.name',
      message: `name "${doc.metadata.name}" does not match namePattern ${JSON.stringify(rules.namePattern)}`,
      hint: 'rename it to match the pattern',
    });
  }
  if (rules.requiredLabels && applies(policy, 'requiredLabels', doc.kind)) {
    const labels = doc.metadata.labels ?? {};
    const missing = rules.requiredLabels.filter((l) => !(l in labels) || labels[l] === '');
    if (missing.length > 0) {
      out.push({
        path: doc.metadata.labels ? ['metadata', 'labels'] : ['metadata'],
        field: 'metadata.labels',
        message: `missing required label${missing.length === 1 ? '' : 's'} ${missing.map((l) => `"${l}"`).join(', ')}`,
        hint: `add ${missing.map((l) => `${l}: <value>`).join(', ')} under metadata.labels`,
      });
    }
  }
  return out;
}

/**
 * The policy's namePattern, compiled for linear-time matching (lib/model/linear-pattern.ts): a pattern such as
 * `^(a+)+$` would otherwise make JavaScript's engine backtrack for minutes on one name.
 */
function compileNamePattern(policy: ConfigDocument<'Policy'>): { regex?: LinearPattern; problem?: ConfigProblem } {
  const source = policy.spec.rules.namePattern;
  if (source === undefined) return {};
  const compiled = compileLinearPattern(source);
  if (compiled.ok) return { regex: compiled.pattern };
  return {
    problem: {
      ...policy.locate(['spec', 'rules', 'namePattern']),
      resource: `Policy "${policy.metadata.name}"`,
      field: 'spec.rules.namePattern',
      message: compiled.message,
      hint: 'use characters, classes, groups, alternation and quantifiers (a regular expression without backreferences or lookarounds)',
      severity: 'error',
    },
  };
}

/** `kinds: [Topics]` would silently check nothing: say so. */
function unknownKinds(policy: ConfigDocument<'Policy'>): ConfigProblem[] {
  return (policy.spec.kinds ?? []).flatMap((kind, index) => {
    if ((KINDS as readonly string[]).includes(kind)) return [];
    const hint = didYouMean(kind, KINDS);
    return [
      {
        ...policy.locate(['spec', 'kinds', index]),
        resource: `Policy "${policy.metadata.name}"`,
        field: `spec.kinds[${index}]`,
        message: `unknown kind "${kind}": the policy checks nothing of it`,
        ...(hint ? { hint } : {}),
        severity: 'error' as const,
      },
    ];
  });
}

/**
 * Governance policies (the `Policy` kind) checked over every config document of the environment, after
 * overlays: naming, topic sizes and retention, required labels and forbidden configs. A `deny` policy's
 * findings are errors that block the plan; a `warn` policy's are warnings shown in it. Each finding is at the
 * offending field's file:line and names the Policy.
 *
 * @example
 * // Policy topic-standards { maxPartitions: 64 } and Topic payments.orders { partitions: 128 } give
 * // topics.yaml:9:15: Topic "payments.orders" spec.partitions: violates Policy "topic-standards": 128 is above maxPartitions 64
 */
export const checkPolicies: ConfigCheck = (config) => {
  const problems: ConfigProblem[] = [];
  const policies = config.documents
    .filter((d): d is ConfigDocument<'Policy'> => d.kind === 'Policy')
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  for (const policy of policies) {
    const compiled = compileNamePattern(policy);
    if (compiled.problem) problems.push(compiled.problem);
    problems.push(...unknownKinds(policy));
    const severity = policy.spec.severity === 'deny' ? 'error' : 'warning';
    for (const doc of config.documents) {
      if (doc.kind === 'Policy' || doc.kind === 'Environment') continue;
      if (policy.spec.kinds && !policy.spec.kinds.includes(doc.kind)) continue;
      const violations = commonViolations(policy, doc, compiled.regex);
      const facts = documentKindModule(doc.kind).policyFacts?.(doc);
      if (facts) {
        // One item at a time: a spread of 120,000 forbidden keys would overflow the stack.
        for (const v of sizeViolations(policy, doc.kind, facts)) violations.push(v);
        if (facts.config) for (const v of configViolations(policy, doc.kind, facts.config)) violations.push(v);
      }
      for (const v of violations) {
        problems.push({
          ...doc.locate(v.path),
          resource: `${doc.kind} "${doc.metadata.name}"`,
          field: v.field,
          message: `violates Policy "${policy.metadata.name}": ${v.message}`,
          ...(v.hint ? { hint: v.hint } : {}),
          severity,
        });
      }
    }
  }
  return { problems, notes: [] };
};
