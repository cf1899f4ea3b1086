import { checkAclsOnIam } from './acls-on-iam.ts';
import { checkAlertReferences } from './alert-references.ts';
import { checkAppSql } from './app-sql.ts';
import { checkDataPolicies } from './data-policy.ts';
import { checkPolicies } from './policy.ts';
import { checkTopics } from './topics.ts';
import type { ConfigCheck } from './types.ts';

/** Every plan-time check, in the order their findings are listed. Governance checks register here. */
export const CONFIG_CHECKS: ConfigCheck[] = [
  checkTopics,
  checkPolicies,
  checkDataPolicies,
  checkAlertReferences,
  checkAppSql,
  checkAclsOnIam,
];
