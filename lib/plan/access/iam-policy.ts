import { IAM_POLICY_VERSION, type IamStatement, type PrincipalAccessPolicy } from '../../model/access-policy.ts';
import type { AclBinding, AclOperation, AclResourceType } from '../../model/kinds/acl.ts';

/** One Kafka grant and who asked for it (`App "orders"`, `Acl at access.yaml:3`). */
export interface AccessGrant {
  binding: AclBinding;
  origin: string;
}

/** What the policies are scoped to: the MSK cluster ARN when known, else the region (if any). */
export interface IamScope {
  clusterArn?: string | undefined;
  region?: string | undefined;
  /** Named in the warning when `clusterArn` is missing (`Environment "prod"`). */
  environment: string;
}

export interface IamPoliciesResult {
  /** One policy per principal, sorted by principal. */
  policies: PrincipalAccessPolicy[];
  /** What the policies could not express exactly, or are not scoped by; one line each, for plan notes and stderr. */
  warnings: string[];
}

type ArnType = 'cluster' | 'topic' | 'group' | 'transactional-id';

/** Actions of one operation on its own resource, plus those Kafka's authorizer implies with it. */
interface ActionSet {
  actions: readonly string[];
  /** Kafka lets READ/WRITE/DELETE/ALTER of a topic also DESCRIBE it (and the like); MSK lists them as required. */
  implied?: readonly string[];
}

const A = (name: string) => `kafka-cluster:${name}`;

const TOPIC: Partial<Record<AclOperation, ActionSet>> = {
  read: { actions: [A('ReadData')], implied: [A('DescribeTopic')] },
  write: { actions: [A('WriteData')], implied: [A('DescribeTopic')] },
  describe: { actions: [A('DescribeTopic')] },
  create: { actions: [A('CreateTopic')] },
  delete: { actions: [A('DeleteTopic')], implied: [A('DescribeTopic')] },
  alter: { actions: [A('AlterTopic')], implied: [A('DescribeTopic')] },
  describeConfigs: { actions: [A('DescribeTopicDynamicConfiguration')] },
  alterConfigs: {
    actions: [A('AlterTopicDynamicConfiguration')],
    implied: [A('DescribeTopicDynamicConfiguration')],
  },
  all: {
    actions: [
      'AlterTopic',
      'AlterTopicDynamicConfiguration',
      'CreateTopic',
      'DeleteTopic',
      'DescribeTopic',
      'DescribeTopicDynamicConfiguration',
      'ReadData',
      'WriteData',
    ].map(A),
  },
};

const GROUP: Partial<Record<AclOperation, ActionSet>> = {
  // Joining a group and committing its offsets is Kafka's READ GROUP.
  read: { actions: [A('AlterGroup')], implied: [A('DescribeGroup')] },
  describe: { actions: [A('DescribeGroup')] },
  delete: { actions: [A('DeleteGroup')], implied: [A('DescribeGroup')] },
  all: { actions: ['AlterGroup', 'DeleteGroup', 'DescribeGroup'].map(A) },
};

const TRANSACTIONAL_ID: Partial<Record<AclOperation, ActionSet>> = {
  write: { actions: [A('AlterTransactionalId')], implied: [A('DescribeTransactionalId')] },
  describe: { actions: [A('DescribeTransactionalId')] },
  all: { actions: ['AlterTransactionalId', 'DescribeTransactionalId'].map(A) },
};

const CLUSTER: Partial<Record<AclOperation, ActionSet>> = {
  describe: { actions: [A('DescribeCluster')] },
  alter: { actions: [A('AlterCluster')], implied: [A('DescribeCluster')] },
  describeConfigs: { actions: [A('DescribeClusterDynamicConfiguration')] },
  alterConfigs: {
    actions: [A('AlterClusterDynamicConfiguration')],
    implied: [A('DescribeClusterDynamicConfiguration')],
  },
  idempotentWrite: { actions: [A('WriteDataIdempotently')] },
  all: {
    actions: [
      'AlterCluster',
      'AlterClusterDynamicConfiguration',
      'DescribeCluster',
      'DescribeClusterDynamicConfiguration',
      'WriteDataIdempotently',
    ].map(A),
  },
};

/** CREATE on the cluster lets a principal create any topic: in IAM that is CreateTopic on every topic ARN. */
const CLUSTER_CREATES_TOPICS: ReadonlySet<AclOperation> = new Set(['create', 'all']);

const TABLE: Record<
  Exclude<AclResourceType, 'delegationToken'>,
  [ArnType, Partial<Record<AclOperation, ActionSet>>]
> = {
  topic: ['topic', TOPIC],
  group: ['group', GROUP],
  transactionalId: ['transactional-id', TRANSACTIONAL_ID],
  cluster: ['cluster', CLUSTER],
};

/** Every principal that may do anything must first connect; DescribeCluster lets clients read cluster metadata. */
const CONNECT = [A('Connect'), A('DescribeCluster')];

const ARN_TYPE_ORDER: Record<ArnType, number> = { cluster: 0, topic: 1, group: 2, 'transactional-id': 3 };
const SID_WORD: Record<ArnType, string> = {
  cluster: 'Cluster',
  topic: 'Topics',
  group: 'Groups',
  'transactional-id': 'TransactionalIds',
};

const CLUSTER_ARN = /^(arn:[^:]+:kafka:[^:]+:\d{12}:)cluster\/([^/]+\/[^/]+)$/;

/** ARN builders for one cluster: `arn:aws:kafka:R:A:topic/NAME/UUID/<pattern>`. */
function arnsFor(scope: IamScope): (type: ArnType, pattern?: string) => string {
  const match = scope.clusterArn === undefined ? null : CLUSTER_ARN.exec(scope.clusterArn);
  const prefix = match?.[1] ?? `arn:aws:kafka:${scope.region ?? '*'}:*:`;
  const cluster = match?.[2] ?? '*/*';
  return (type, pattern) => `${prefix}${type}/${cluster}${type === 'cluster' ? '' : `/${pattern ?? '*'}`}`;
}

/**
 * The resource name as an IAM ARN pattern: `*` (Kafka's wildcard name) is every name, a prefix gets a trailing
 * `*`, and a literal name keeps its own `*`, `?` and `$` literal (IAM policy variables `${*}`, `${?}`, `${$}`),
 * so a group named `a*` never grants every group starting with "a".
 */
export function namePattern(binding: Pick<AclBinding, 'resourceName' | 'patternType'>): string {
  const escaped = binding.resourceName.replace(/[$*?]/g, (c) => `\${${c}}`);
  if (binding.patternType === 'prefixed') return `${escaped}*`;
  return binding.resourceName === '*' ? '*' : escaped;
}

/** `User:app read topic:orders` (the ACL as people read it), for warnings. */
function describe(b: AclBinding): string {
  const pattern = b.patternType === 'prefixed' ? '*' : '';
  return `${b.principal} ${b.permission === 'deny' ? 'DENY ' : ''}${b.operation} ${b.resourceType}:${b.resourceName}${pattern}${b.host === '*' ? '' : ` from ${b.host}`}`;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The IAM policy documents equivalent to Kafka ACL grants on an Amazon MSK cluster with IAM access control,
 * one per principal, following AWS's mapping of `kafka-cluster:*` actions to Kafka ACL operations (READ TOPIC is
 * `ReadData`, READ GROUP is `AlterGroup`, WRITE TRANSACTIONAL_ID is `AlterTransactionalId`, IDEMPOTENT_WRITE
 * CLUSTER is `WriteDataIdempotently`, ...). DENY grants become `Deny` statements. Pure and deterministic:
 * statements, actions and resources are sorted, so the same grants always give the same documents.
 *
 * What IAM cannot express is a warning, never a silent widening: an ALLOW restricted to a host is left out, a
 * DENY restricted to a host applies from every host, cluster-internal operations are left out. Without
 * `clusterArn` the ARNs match every MSK cluster (`cluster/*\/*`) and a warning says what to set.
 *
 * @example
 * renderIamPolicies([{ binding: { principal: 'User:app', host: '*', resourceType: 'topic',
 *   resourceName: 'orders', patternType: 'literal', operation: 'read', permission: 'allow' }, origin: 'App "app"' }],
 *   { clusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/main/abc-1', environment: 'Environment "prod"' });
 * // policies[0].policy.Statement: AllowCluster (Connect, DescribeCluster on the cluster ARN),
 * //   AllowTopics (DescribeTopic, ReadData on arn:aws:kafka:eu-west-1:123456789012:topic/main/abc-1/orders)
 */
export function renderIamPolicies(grants: readonly AccessGrant[], scope: IamScope): IamPoliciesResult {
  const arn = arnsFor(scope);
  const warnings: string[] = [];
  const warn = (message: string) => {
    if (!warnings.includes(message)) warnings.push(message);
  };
  interface Principal {
    origins: Set<string>;
    /** One entry per effect and resource ARN. */
    actions: Map<string, ResourceActions>;
    allows: boolean;
  }
  const principals = new Map<string, Principal>();
  const sorted = [...grants].sort(
    (a, b) => compare(a.binding.principal, b.binding.principal) || compare(describe(a.binding), describe(b.binding)),
  );
  for (const { binding, origin } of sorted) {
    const deny = binding.permission === 'deny';
    if (binding.host !== '*') {
      if (!deny) {
        warn(
          `${origin}: "${describe(binding)}" is left out of the IAM policy: IAM policies can not restrict the client host (grant it from every host, host "*", to include it)`,
        );
        continue;
      }
      warn(
        `${origin}: "${describe(binding)}" denies from every host in the IAM policy: IAM policies can not restrict the client host`,
      );
    }
    if (binding.resourceType === 'delegationToken') {
      warn(`${origin}: "${describe(binding)}" is left out: MSK IAM access control has no delegation-token actions`);
      continue;
    }
    const [arnType, table] = TABLE[binding.resourceType];
    const set = table[binding.operation];
    const createsTopics = binding.resourceType === 'cluster' && CLUSTER_CREATES_TOPICS.has(binding.operation);
    if (!set && !createsTopics) {
      warn(
        `${origin}: "${describe(binding)}" is left out: MSK IAM access control has no action for ${binding.operation} on a ${binding.resourceType}`,
      );
      continue;
    }
    const principal = principals.get(binding.principal) ?? { origins: new Set(), actions: new Map(), allows: false };
    principals.set(binding.principal, principal);
    principal.origins.add(origin);
    const effect = deny ? 'Deny' : 'Allow';
    if (!deny) principal.allows = true;
    const add = (type: ArnType, resource: string, actions: readonly string[]) =>
      addActions(principal.actions, effect, type, resource, actions);
    const resource = arnType === 'cluster' ? arn('cluster') : arn(arnType, namePattern(binding));
    // A DENY of READ denies reading only: what Kafka implies with an ALLOW is not denied with it.
    if (set) add(arnType, resource, deny ? set.actions : [...set.actions, ...(set.implied ?? [])]);
    if (createsTopics) add('topic', arn('topic', '*'), [A('CreateTopic')]);
  }
  if (scope.clusterArn === undefined && principals.size > 0) {
    warn(
      `spec.kafka.sasl.clusterArn is not set on ${scope.environment}: the IAM policies name every MSK cluster (cluster/*/*${scope.region ? ` in ${scope.region}` : ''}); set it to the cluster's ARN (arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID) to scope them to that cluster`,
    );
  }
  const policies = [...principals.entries()]
    .sort(([a], [b]) => compare(a, b))
    .map(([principal, { origins, actions, allows }]): PrincipalAccessPolicy => {
      if (allows) addActions(actions, 'Allow', 'cluster', arn('cluster'), CONNECT);
      return {
        principal,
        origins: [...origins].sort(compare),
        policy: { Version: IAM_POLICY_VERSION, Statement: statements(actions) },
      };
    });
  return { policies, warnings };
}

interface ResourceActions {
  effect: 'Allow' | 'Deny';
  type: ArnType;
  resource: string;
  actions: Set<string>;
}

function addActions(
  into: Map<string, ResourceActions>,
  effect: 'Allow' | 'Deny',
  type: ArnType,
  resource: string,
  actions: readonly string[],
): void {
  const key = JSON.stringify([effect, resource]);
  const entry = into.get(key) ?? { effect, type, resource, actions: new Set<string>() };
  for (const action of actions) entry.actions.add(action);
  into.set(key, entry);
}

/** Resources with the same effect and actions share one statement; statements sorted, Sids derived from them. */
function statements(actions: Map<string, ResourceActions>): IamStatement[] {
  const grouped = new Map<
    string,
    { effect: 'Allow' | 'Deny'; type: ArnType; actions: string[]; resources: string[] }
  >();
  for (const { effect, type, resource, actions: set } of actions.values()) {
    const sortedActions = [...set].sort(compare);
    const groupKey = `${effect}|${type}|${sortedActions.join(',')}`;
    const group = grouped.get(groupKey) ?? { effect, type, actions: sortedActions, resources: [] };
    group.resources.push(resource);
    grouped.set(groupKey, group);
  }
  const ordered = [...grouped.values()].sort(
    (a, b) =>
      compare(a.effect, b.effect) ||
      ARN_TYPE_ORDER[a.type] - ARN_TYPE_ORDER[b.type] ||
      compare(a.actions.join(','), b.actions.join(',')),
  );
  const counts = new Map<string, number>();
  for (const g of ordered) counts.set(`${g.effect}${g.type}`, (counts.get(`${g.effect}${g.type}`) ?? 0) + 1);
  const seen = new Map<string, number>();
  return ordered.map((g) => {
    const id = `${g.effect}${g.type}`;
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    return {
      Sid: `${g.effect}${SID_WORD[g.type]}${(counts.get(id) ?? 0) > 1 ? n : ''}`,
      Effect: g.effect,
      Action: g.actions,
      Resource: g.resources.sort(compare),
    };
  });
}
