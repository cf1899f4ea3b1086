import type { Template } from 'aws-cdk-lib/assertions';

type Statement = { Action: string | string[]; Resource?: unknown; Effect: string; NotResource?: unknown };
type Resource = { Type: string; Properties: Record<string, unknown> };

/** Logical ids without their hash suffix, so the list reads the same after an unrelated change. */
const bare = (id: string) => id.replace(/[0-9A-F]{8}$/, '');

/** A resource as a string, `<Logical.Attr>` for references (as cdk-nag prints them). */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v['Fn::Join'])) {
      const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
      return parts.map(render).join(separator);
    }
    if (Array.isArray(v['Fn::GetAtt'])) {
      const [id, attribute] = v['Fn::GetAtt'] as [string, string];
      return `<${bare(id)}.${attribute}>`;
    }
    if (typeof v.Ref === 'string') return `<${v.Ref.startsWith('AWS::') ? v.Ref : bare(v.Ref)}>`;
  }
  return JSON.stringify(value);
}

/**
 * Every Allow of every identity policy in the template whose resource has a wildcard, as
 * `<role> <actions> <resource>` lines, sorted: the list a change must update to add one.
 */
export function wildcardGrants(template: Template): string[] {
  const lines = new Set<string>();
  const add = (roles: unknown, statements: Statement[]) => {
    const names = (Array.isArray(roles) ? roles : [roles]).map(render).join(',');
    for (const s of statements.filter((x) => x.Effect === 'Allow')) {
      const actions = (Array.isArray(s.Action) ? s.Action : [s.Action]).slice().sort().join(',');
      for (const r of Array.isArray(s.Resource) ? s.Resource : [s.Resource]) {
        const resource = render(r);
        if (resource.includes('*')) lines.add(`${names} ${actions} ${resource}`);
      }
    }
  };
  for (const p of Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Resource>)) {
    add(p.Properties.Roles, (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  }
  for (const [id, role] of Object.entries(template.findResources('AWS::IAM::Role') as Record<string, Resource>)) {
    for (const p of (role.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]) {
      add({ Ref: id }, p.PolicyDocument.Statement);
    }
  }
  return [...lines].sort();
}
