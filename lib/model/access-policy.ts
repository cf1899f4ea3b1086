/**
 * IAM policy documents Landscape renders for Kafka principals on clusters whose access is decided by IAM, not by
 * Kafka ACLs (Amazon MSK with `sasl.mechanism: aws-msk-iam`; ADR 0042). Stored in plans: field names and values
 * follow the IAM policy grammar, so a document can be attached to a role as it is.
 */

/** The policy language version that knows policy variables (`${*}` escapes a literal "*" in a resource name). */
export const IAM_POLICY_VERSION = '2012-10-17';

export interface IamStatement {
  Sid: string;
  Effect: 'Allow' | 'Deny';
  /** `kafka-cluster:*` actions, sorted. */
  Action: string[];
  /** Cluster, topic, group and transactional-id ARNs (or ARN patterns), sorted. */
  Resource: string[];
}

export interface IamPolicyDocument {
  Version: typeof IAM_POLICY_VERSION;
  Statement: IamStatement[];
}

/** The policy one principal needs: attach it to the IAM role that principal runs as. */
export interface PrincipalAccessPolicy {
  /** The principal as the config names it (`User:orders-app`). */
  principal: string;
  /** Who asked for the access: `App "orders"`, `Acl "orders-readers"` (sorted). */
  origins: string[];
  policy: IamPolicyDocument;
}
