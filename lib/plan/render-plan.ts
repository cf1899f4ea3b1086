import type { Json } from '../model/common.ts';
import type { FieldChange, Plan, PlannedChange } from '../model/plan.ts';
import type { Wave } from './kinds/kind-module.ts';

const SYMBOL = { Create: '+', Update: '~', Delete: '-' } as const;
/** One name per wave of the kind modules (lib/plan/kinds): a new wave does not compile without its name. */
const WAVE_NAMES: Record<Wave, string> = {
  1: 'topics',
  2: 'users and quotas',
  3: 'ACLs',
  4: 'schemas',
  5: 'connectors',
  6: 'Kubernetes objects',
};
const VERB = { Create: 'create', Update: 'update', Delete: 'delete' } as const;

function show(value: Json | undefined): string {
  if (value === undefined) return '(unset)';
  return typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value);
}

function fieldLine(field: FieldChange): string {
  if (field.secret)
    return `${field.path}: ${typeof field.after === 'string' ? field.after : 'changed'} (secret value not shown)`;
  const note = field.note ? `  # ${field.note}` : '';
  if (field.before === undefined) return `${field.path}: ${show(field.after)}${note}`;
  const after =
    field.after === undefined && field.resetTo !== undefined ? `(default ${show(field.resetTo)})` : show(field.after);
  return `${field.path}: ${show(field.before)} -> ${after}${note}`;
}

/** The line of one change; its origin (the intent that generated it) is the heading it is listed under. */
function changeHeader(change: PlannedChange): string {
  const where = change.source ? `  (${change.source.file}:${change.source.line})` : '';
  const destructive = change.destructive ? '  [destructive]' : '';
  const adopt = change.adopt ? '  [adopt]' : '';
  return `${SYMBOL[change.action]} ${VERB[change.action]} ${change.kind} ${change.name}${adopt}${destructive}${where}`;
}

/**
 * The lines of one wave's changes: those written as themselves first, then those another document generated
 * (an Access's bindings, an App's ACLs and objects) under a heading naming it, each pointing at the entry that
 * asked for it (ADR 0043), so a reviewer reads them as the intent they come from.
 */
function waveLines(changes: readonly PlannedChange[]): string[] {
  const lines: string[] = [];
  const byOrigin = new Map<string, PlannedChange[]>();
  const push = (change: PlannedChange, indent: string) => {
    lines.push(`${indent}${changeHeader(change)}`);
    if (change.action !== 'Delete') for (const field of change.fields) lines.push(`${indent}    ${fieldLine(field)}`);
  };
  for (const change of changes) {
    if (change.origin === undefined) push(change, '  ');
    else byOrigin.set(change.origin, [...(byOrigin.get(change.origin) ?? []), change]);
  }
  for (const [origin, generated] of byOrigin) {
    lines.push(`  ${origin}:`);
    for (const change of generated) push(change, '    ');
  }
  return lines;
}

export function summaryLine(plan: Plan): string {
  const s = plan.summary;
  const adopt = s.adopt > 0 ? `, ${s.adopt} to adopt` : '';
  return `${s.create} to create, ${s.update} to update, ${s.delete} to delete, ${s.noop} unchanged${adopt}, ${s.refused} refused, ${s.unmanaged} unmanaged`;
}

/** How many names a list of unmanaged or adopted resources shows before "... and N more". */
export const LIST_LIMIT = 20;

/** A bounded list of names: at most `limit`, then how many more. */
export function boundedList(names: readonly string[], indent: string, limit = LIST_LIMIT): string[] {
  const lines = names.slice(0, limit).map((name) => `${indent}${name}`);
  if (names.length > limit) lines.push(`${indent}... and ${names.length - limit} more (see the plan JSON)`);
  return lines;
}

/**
 * The unmanaged part of a plan, shared by plan and drift: the live resources Landscape leaves alone (named,
 * bounded) and the unmanaged grants that reach resources it manages.
 */
export function unmanagedLines(plan: Plan): string[] {
  const lines: string[] = [];
  if (plan.unmanaged.length > 0) {
    lines.push(
      `Unmanaged: ${plan.unmanaged.length} live resource(s) not in git and not created by Landscape, left alone:`,
      ...boundedList(plan.unmanaged, '  '),
    );
  }
  const grants = plan.unmanagedGrants ?? [];
  if (grants.length > 0) {
    lines.push(
      `Unmanaged grants on managed topics: ${grants.length} ACL(s) not in git reach topics Landscape manages:`,
    );
    lines.push(
      ...boundedList(
        grants.map(
          (g) =>
            `${g.name} -> ${g.examples.join(', ')}${g.topics > g.examples.length ? ` and ${g.topics - g.examples.length} more` : ''}`,
        ),
        '  ',
      ),
    );
  }
  return lines;
}

/**
 * The IAM policy of each principal on an MSK IAM Environment (ADR 0042): not a change Landscape makes, so a
 * section of its own after the changes. Absent on every other Environment.
 */
export function accessPolicyLines(plan: Plan): string[] {
  const policies = plan.accessPolicies ?? [];
  if (policies.length === 0) return [];
  const lines = [
    `Access as IAM policies: Kafka ACLs are not enforced on this cluster (aws-msk-iam), so no ACL is planned. Attach each principal's policy to its IAM role (\`landscape access-policy DIR --env ${plan.environment}\` writes them as JSON):`,
  ];
  for (const { principal, origins, policy } of policies) {
    lines.push(`  ${principal}  (${origins.join(', ')})`);
    for (const statement of policy.Statement) {
      lines.push(`    ${statement.Effect} ${statement.Action.join(', ')}`);
      lines.push(...boundedList(statement.Resource, '      '));
    }
  }
  return lines;
}

/** Body lines shared by the terminal and PR renderings. `limit` caps the number of changes listed. */
function bodyLines(plan: Plan, limit: number): string[] {
  const lines: string[] = [];
  const shown = plan.changes.slice(0, limit);
  let run: PlannedChange[] = [];
  const flush = () => {
    if (run.length > 0) lines.push(...waveLines(run));
    run = [];
  };
  let wave = -1;
  let deleting = false;
  for (const change of shown) {
    const isDelete = change.action === 'Delete';
    if (change.wave !== wave || isDelete !== deleting) {
      flush();
      wave = change.wave;
      deleting = isDelete;
      lines.push(`${isDelete ? 'Deletes, wave' : 'Wave'} ${wave}: ${WAVE_NAMES[wave as Wave] ?? change.kind}`);
    }
    run.push(change);
  }
  flush();
  if (plan.changes.length > shown.length)
    lines.push(`  ... and ${plan.changes.length - shown.length} more changes (see the plan JSON)`);
  if (plan.refused.length > 0) {
    lines.push('Refused (not changed):');
    for (const r of plan.refused) {
      lines.push(
        `  ! ${r.kind} ${r.name} [${r.reason}]: ${r.message}${r.source ? `  (${r.source.file}:${r.source.line})` : ''}`,
      );
    }
  }
  lines.push(...accessPolicyLines(plan));
  if (plan.notes.length > 0) {
    lines.push('Notes:');
    for (const n of plan.notes)
      lines.push(`  ${n.level}: ${n.message}${n.source ? `  (${n.source.file}:${n.source.line})` : ''}`);
  }
  const changed = new Set(plan.changes.map((c) => c.key));
  const adoptedOnly = (plan.adopted ?? []).filter((key) => !changed.has(key));
  if (adoptedOnly.length > 0) {
    lines.push(
      `Adopt: ${adoptedOnly.length} existing resource(s) not created by Landscape, unchanged, managed from this apply on (never pruned):`,
      ...boundedList(adoptedOnly, '  = adopt '),
    );
  }
  lines.push(...unmanagedLines(plan));
  return lines;
}

/** The terminal rendering of a plan. */
export function renderPlanText(plan: Plan, options: { limit?: number } = {}): string {
  const commit = plan.source.commit ? ` at commit ${plan.source.commit.slice(0, 12)}` : '';
  const lines = [`Plan for environment "${plan.environment}"${commit} (plan ${plan.hash.slice(0, 12)})`, ''];
  if (plan.changes.length === 0) lines.push('No changes. The live platform matches the configuration.');
  lines.push(...bodyLines(plan, options.limit ?? Number.POSITIVE_INFINITY));
  lines.push('', `Summary: ${summaryLine(plan)}.`);
  return lines.join('\n');
}

/** Markdown for a PR comment or check run: stays under GitHub's 65,536-character limit by truncating the list. */
export function renderPlanMarkdown(plan: Plan, options: { limit?: number } = {}): string {
  const commit = plan.source.commit ? ` at \`${plan.source.commit.slice(0, 12)}\`` : '';
  const head = `### Landscape plan for \`${plan.environment}\`${commit}\n\n**${summaryLine(plan)}** · plan \`${plan.hash.slice(0, 12)}\`\n`;
  const intro =
    plan.changes.length === 0 ? `${head}\nNo changes. The live platform matches the configuration.\n` : head;
  if (bodyLines(plan, 0).length === 0) return intro;
  let limit = options.limit ?? 200;
  for (;;) {
    // In a diff block only a symbol in the first column is coloured: move it there ("!" marks an update).
    const lines = bodyLines(plan, limit).map((line) =>
      line.replace(
        /^( {2}| {4})([+~-]) /,
        (_m, indent: string, symbol: string) => `${symbol === '~' ? '!' : symbol}${indent} `,
      ),
    );
    const body = `${intro}\n\`\`\`diff\n${lines.join('\n')}\n\`\`\`\n`;
    if (body.length < 60_000 || limit <= 10) return body;
    limit = Math.floor(limit / 2);
  }
}
