import type { ConfigProblem } from '../../errors.ts';
import { usesIamAccessControl } from '../../model/connections/kafka.ts';
import { documentsOfKind } from '../../model/documents.ts';
import type { ConfigCheck } from './types.ts';

/**
 * An Acl document in an Environment that authenticates with MSK IAM is an error at its file:line (ADR 0042):
 * Kafka ACLs are not enforced on such a cluster, so applying it would change nobody's access while git says it
 * does. The fix names the IAM policy Landscape renders from the same grants. Apps are not refused: their access
 * is planned as IAM policies (`accessPolicies` in the plan), which is how access is declared there.
 */
export const checkAclsOnIam: ConfigCheck = (config) => {
  const environment = config.environment;
  if (!usesIamAccessControl(environment.spec.kafka)) return { problems: [], notes: [] };
  const env = environment.metadata.name;
  const problems: ConfigProblem[] = documentsOfKind(config.documents, 'Acl').map((doc) => ({
    ...doc.source,
    resource: `Acl "${doc.metadata.name}"`,
    message: `Kafka ACLs are not enforced on Environment "${env}": it authenticates with aws-msk-iam, where IAM policies decide access, so this Acl would grant or deny nothing`,
    hint: `use the IAM policy rendered from it, \`landscape access-policy DIR --env ${env} --principal ${doc.spec.principal}\`, attached to that principal's IAM role; then restrict this Acl to the environments that enforce ACLs (metadata.environments) or remove it`,
  }));
  return { problems, notes: [] };
};
