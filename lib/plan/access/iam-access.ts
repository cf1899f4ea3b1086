import type { PrincipalAccessPolicy } from '../../model/access-policy.ts';
import { usesIamAccessControl } from '../../model/connections/kafka.ts';
import type { EnvironmentSpec } from '../../model/environment.ts';
import type { AclBinding } from '../../model/kinds/acl.ts';
import type { PlanNote } from '../../model/plan.ts';
import type { DesiredResource } from '../../model/resource.ts';
import type { ComputePlanInput } from '../compute-plan.ts';
import { type AccessGrant, type IamPoliciesResult, type IamScope, renderIamPolicies } from './iam-policy.ts';

/** The grants of desired ACL resources (an App's and hand-written ones), each with who asked for it. */
export function accessGrants(desired: readonly DesiredResource[]): AccessGrant[] {
  return desired
    .filter((d) => d.kind === 'Acl')
    .map((d) => ({
      binding: d.spec as unknown as AclBinding,
      origin: d.origin ?? (d.source ? `Acl at ${d.source.file}:${d.source.line}` : `Acl "${d.name}"`),
    }));
}

/** The cluster an Environment's IAM policies are scoped to (its `sasl.clusterArn`, else its region). */
export function iamScopeOf(environment: { name: string; spec: EnvironmentSpec }): IamScope {
  const sasl = environment.spec.kafka.sasl;
  const iam = sasl?.mechanism === 'aws-msk-iam' ? sasl : undefined;
  return { clusterArn: iam?.clusterArn, region: iam?.region, environment: `Environment "${environment.name}"` };
}

/** The IAM policies equivalent to the desired ACLs of an Environment (`landscape access-policy`). */
export function environmentAccessPolicies(
  environment: { name: string; spec: EnvironmentSpec },
  desired: readonly DesiredResource[],
): IamPoliciesResult {
  return renderIamPolicies(accessGrants(desired), iamScopeOf(environment));
}

/**
 * On an Environment that authenticates with MSK IAM, Kafka ACLs are not enforced (ADR 0042): the planner plans
 * no ACL at all there. Desired ACLs (an App's) become IAM policy documents shown in the plan; live ACLs are
 * neither compared nor pruned, so a plan never creates or deletes an ACL on such a cluster. Hand-written Acl
 * documents never get here in a real plan: the `checkAclsOnIam` governance check refuses them at their file:line.
 * Other Environments pass through unchanged (`accessPolicies` undefined).
 */
export function separateIamAccess(input: ComputePlanInput): {
  input: ComputePlanInput;
  accessPolicies?: PrincipalAccessPolicy[];
} {
  if (!usesIamAccessControl(input.environment.spec.kafka)) return { input };
  const { policies, warnings } = environmentAccessPolicies(input.environment, input.desired);
  const notes: PlanNote[] = [
    ...(input.notes ?? []),
    ...warnings.map((message): PlanNote => ({ level: 'warning', message })),
  ];
  return {
    input: {
      ...input,
      desired: input.desired.filter((d) => d.kind !== 'Acl'),
      observed: input.observed.filter((o) => o.kind !== 'Acl'),
      observedKinds: input.observedKinds.filter((k) => k !== 'Acl'),
      notes,
    },
    ...(policies.length > 0 ? { accessPolicies: policies } : {}),
  };
}
