import { repoPath } from '../config/config-tree.ts';
import { type ConfigProblem, formatProblem } from '../errors.ts';
import type { Plan } from '../model/plan.ts';
import { renderPlanMarkdown, summaryLine } from '../plan/render-plan.ts';
import type { CheckAnnotation, CheckConclusion } from '../ports/reporter.ts';

/** Marker of Landscape's PR comment: updated in place on every push to the pull request. */
export const PLAN_COMMENT_MARKER = '<!-- landscape:plan -->';

const MAX_ANNOTATIONS = 50; // GitHub accepts 50 annotations per request

/** Config problems become failure annotations at their file:line. */
export function problemAnnotations(root: string, problems: readonly ConfigProblem[]): CheckAnnotation[] {
  return problems.slice(0, MAX_ANNOTATIONS).map((p) => ({
    path: repoPath(root, p.file),
    startLine: p.line,
    endLine: p.line,
    level: p.severity === 'warning' ? 'warning' : 'failure',
    title: [p.resource, p.field].filter(Boolean).join(' ') || 'configuration',
    message: `${p.message}${p.hint ? ` (${p.hint})` : ''}`,
  }));
}

/** Refusals and notes that carry a source location become annotations too. */
export function planAnnotations(root: string, plan: Plan): CheckAnnotation[] {
  const annotations: CheckAnnotation[] = [];
  for (const refusal of plan.refused) {
    if (!refusal.source) continue;
    annotations.push({
      path: repoPath(root, refusal.source.file),
      startLine: refusal.source.line,
      endLine: refusal.source.line,
      level: 'failure',
      title: `${refusal.kind} "${refusal.name}": ${refusal.reason}`,
      message: refusal.message,
    });
  }
  for (const note of plan.notes) {
    if (!note.source || note.level === 'info') continue;
    annotations.push({
      path: repoPath(root, note.source.file),
      startLine: note.source.line,
      endLine: note.source.line,
      level: note.level === 'error' ? 'failure' : 'warning',
      message: note.message,
    });
  }
  for (const change of plan.changes) {
    if (!change.destructive || !change.source) continue;
    annotations.push({
      path: repoPath(root, change.source.file),
      startLine: change.source.line,
      endLine: change.source.line,
      level: 'warning',
      title: `${change.action} ${change.kind} "${change.name}"`,
      message: 'destructive change: needs an approval bound to the plan hash before it is applied',
    });
  }
  return annotations.slice(0, MAX_ANNOTATIONS);
}

export function planConclusion(plan: Plan): CheckConclusion {
  if (plan.refused.length > 0 || plan.notes.some((n) => n.level === 'error')) return 'failure';
  if (plan.changes.some((c) => c.destructive)) return 'action_required';
  return plan.changes.length > 0 ? 'neutral' : 'success';
}

/** The PR comment section of one environment. */
export function environmentSection(
  environment: string,
  plan: Plan | undefined,
  problems: readonly ConfigProblem[],
): string {
  if (problems.length > 0) {
    return [
      `### ${environment}: configuration has ${problems.length} problem${problems.length === 1 ? '' : 's'}`,
      '',
      '```',
      ...problems.map(formatProblem),
      '```',
    ].join('\n');
  }
  if (!plan) return `### ${environment}\n\nnot planned`;
  return `### ${environment}: ${summaryLine(plan)}\n\n${renderPlanMarkdown(plan, { limit: 200 })}`;
}

/** Keeps text under GitHub's 65,535-character body limit. */
export function truncateBody(text: string, limit = 60_000): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}\n\n… truncated (the full plan is stored with the run)`;
}
