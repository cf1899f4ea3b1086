import { Stack, Validations } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** An Amazon MSK cluster (provisioned or Serverless) the functions reach with IAM authentication. */
export interface MskClusterAccess {
  /** `arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID`, as `aws kafka list-clusters-v2` prints it. */
  clusterArn: string;
  /**
   * Topics of `AuditSink` documents of `type: kafka` on this cluster: the audit writers (apply, drift, api) may
   * write to these topics and no others.
   */
  auditTopics?: string[];
}

/** An Amazon EKS cluster in the stack's account and region that apply and drift reconcile. */
export interface EksClusterAccess {
  clusterName: string;
  /**
   * Create the EKS access entries of the apply role (edit, or admin for RBAC objects) and the drift and api
   * roles (view; the api's doctor route reviews what the credentials may do),
   * with the access policies scoped to these namespaces. Without it the operator creates the entries (or the
   * aws-auth mapping) for the role ARNs of the stack outputs. Needs the cluster's authentication mode to be
   * `API` or `API_AND_CONFIG_MAP`.
   */
  accessEntry?: { namespaces: string[]; applyPolicy?: 'edit' | 'admin' };
}

/** The in-VPC functions that reach the platform, by what they do there. */
export interface PlatformRoles {
  /** Plans and applies: creates, alters and deletes topics and Kubernetes objects. */
  apply: iam.IRole;
  /** Plans against live and never applies: read-only. */
  drift: iam.IRole;
  /** Reads consumer-group offsets, end offsets and replication, and the timestamps of lagging records. */
  monitor: iam.IRole;
  /** Reads recent records of a topic for masked samples. */
  api: iam.IRole;
}
export type PlatformRole = keyof PlatformRoles;

type MskActions = { cluster: readonly string[]; topic: readonly string[]; group: readonly string[] };

/**
 * The `kafka-cluster:` actions each function needs on an IAM-authenticated MSK cluster, from the Kafka requests it
 * sends (MSK maps each Kafka ACL operation to one IAM action). Observing topics is Metadata (DescribeTopic) plus
 * DescribeConfigs (DescribeTopicDynamicConfiguration); apply adds CreateTopics, CreatePartitions (AlterTopic),
 * DeleteTopics and IncrementalAlterConfigs (AlterTopicDynamicConfiguration). The monitor and the api sample
 * fetch records without a consumer group (ReadData on the topic, no AlterGroup); the monitor reads committed
 * offsets (OffsetFetch: DescribeGroup). Cluster-level reads of ACLs, quotas and SCRAM users are not granted:
 * Landscape treats their refusal as "not available" unless the config declares such resources, and on an IAM
 * cluster IAM policies, not ACLs, decide (ADR 0022).
 */
export const MSK_ACTIONS: Record<PlatformRole, MskActions> = {
  apply: {
    cluster: ['Connect', 'DescribeCluster'],
    topic: [
      'CreateTopic',
      'DescribeTopic',
      'AlterTopic',
      'DeleteTopic',
      'DescribeTopicDynamicConfiguration',
      'AlterTopicDynamicConfiguration',
    ],
    group: [],
  },
  drift: {
    cluster: ['Connect', 'DescribeCluster'],
    topic: ['DescribeTopic', 'DescribeTopicDynamicConfiguration'],
    group: [],
  },
  monitor: {
    cluster: ['Connect', 'DescribeCluster'],
    topic: ['DescribeTopic', 'ReadData'],
    group: ['DescribeGroup'],
  },
  api: {
    cluster: ['Connect', 'DescribeCluster'],
    topic: ['DescribeTopic', 'ReadData'],
    group: [],
  },
};

/** The functions that write audit records (ADR 0021): only they may write to the audit topics. */
export const AUDIT_WRITERS: readonly PlatformRole[] = ['apply', 'drift', 'api'];
/** The functions that reconcile Kubernetes: only they may describe EKS clusters. */
/** apply changes objects; drift reads them; the api's doctor route checks what the credentials may do. */
export const KUBERNETES_ROLES = ['apply', 'drift', 'api'] as const satisfies readonly PlatformRole[];

const MSK_CLUSTER_ARN = /^arn:(aws[a-z-]*):kafka:([a-z0-9-]+):(\d{12}):cluster\/([^/\s]+)\/([^/\s]+)$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const EKS_CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/;
const K8S_NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The ARN prefixes MSK authorizes topics and groups under: `…:topic/NAME/UUID` and `…:group/NAME/UUID`. */
export function mskResourceArns(clusterArn: string): { cluster: string; topics: string; groups: string } {
  const match = MSK_CLUSTER_ARN.exec(clusterArn);
  if (!match) {
    throw new Error(
      `MSK cluster ARN "${clusterArn}" is not of the form arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID ` +
        '(copy it from "aws kafka list-clusters-v2" or the console), e.g. -c mskClusterArns=arn:aws:kafka:...',
    );
  }
  const [, partition, region, account, name, uuid] = match;
  const base = `arn:${partition}:kafka:${region}:${account}`;
  return { cluster: clusterArn, topics: `${base}:topic/${name}/${uuid}`, groups: `${base}:group/${name}/${uuid}` };
}

export interface PlatformAccessProps {
  roles: PlatformRoles;
  msk?: MskClusterAccess[] | undefined;
  eks?: EksClusterAccess[] | undefined;
  /** Roles the connections name in `roleArn` (MSK IAM, EKS): the in-VPC functions may assume these. */
  assumableRoleArns?: string[] | undefined;
}

/**
 * What the in-VPC functions may do on the platform beyond the network: `kafka-cluster:` actions on the MSK
 * clusters given (per function, from {@link MSK_ACTIONS}), `eks:DescribeCluster` on the EKS clusters for the
 * Kubernetes reconcilers, optional EKS access entries, and `sts:AssumeRole` on the roles the connections
 * name. Nothing is granted for a platform that is not named: SCRAM, mTLS and OAuth clusters need no IAM.
 */
export class PlatformAccess extends Construct {
  readonly accessEntries: eks.CfnAccessEntry[] = [];

  constructor(scope: Construct, id: string, props: PlatformAccessProps) {
    super(scope, id);
    const { roles } = props;
    const stack = Stack.of(this);
    const roleNames = Object.keys(roles) as PlatformRole[];

    for (const cluster of props.msk ?? []) {
      const arns = mskResourceArns(cluster.clusterArn);
      for (const name of roleNames) {
        const actions = MSK_ACTIONS[name];
        const role = roles[name];
        const statements = [
          { actions: actions.cluster, resources: [arns.cluster] },
          { actions: actions.topic, resources: [`${arns.topics}/*`] },
          { actions: actions.group, resources: [`${arns.groups}/*`] },
        ];
        for (const s of statements.filter((x) => x.actions.length > 0)) {
          role.addToPrincipalPolicy(
            new iam.PolicyStatement({ actions: s.actions.map((a) => `kafka-cluster:${a}`), resources: s.resources }),
          );
        }
        acknowledge(
          role,
          `${arns.topics}/*`,
          `Landscape manages (apply) or reads (drift, monitor, api) every topic of the MSK cluster ` +
            `"${cluster.clusterArn}" that its configuration names, chosen in git after deployment; the actions ` +
            `are this function's own (${actions.topic.join(', ')}), on this one cluster.`,
        );
        if (actions.group.length > 0) {
          acknowledge(
            role,
            `${arns.groups}/*`,
            `AlertRules name the consumer groups whose lag the monitor measures in git, after deployment; ` +
              `only DescribeGroup (committed offsets), on this one cluster "${cluster.clusterArn}".`,
          );
        }
        if (AUDIT_WRITERS.includes(name) && (cluster.auditTopics ?? []).length > 0) {
          role.addToPrincipalPolicy(
            new iam.PolicyStatement({
              actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
              resources: (cluster.auditTopics ?? []).map((topic) => `${arns.topics}/${topic}`),
            }),
          );
        }
      }
    }

    for (const cluster of props.eks ?? []) {
      if (!EKS_CLUSTER_NAME.test(cluster.clusterName)) {
        throw new Error(
          `EKS cluster name "${cluster.clusterName}" is not a cluster name (letters, digits, "-" and "_", up to ` +
            '100 characters); give the name, not the ARN, e.g. -c eksClusters=platform-prod',
        );
      }
      const clusterArn = stack.formatArn({ service: 'eks', resource: 'cluster', resourceName: cluster.clusterName });
      for (const name of KUBERNETES_ROLES) {
        // The endpoint and CA of a connection that gives only the cluster name come from DescribeCluster.
        roles[name].addToPrincipalPolicy(
          new iam.PolicyStatement({ actions: ['eks:DescribeCluster'], resources: [clusterArn] }),
        );
      }
      if (cluster.accessEntry) this.#createAccessEntries(cluster.clusterName, cluster.accessEntry, roles);
    }

    const assumable = props.assumableRoleArns ?? [];
    for (const arn of assumable) {
      if (!ROLE_ARN.test(arn)) {
        throw new Error(`assumable role "${arn}" is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)`);
      }
    }
    if (assumable.length > 0) {
      for (const name of roleNames) {
        roles[name].addToPrincipalPolicy(
          new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: assumable }),
        );
      }
    }
  }

  #createAccessEntries(
    clusterName: string,
    entry: NonNullable<EksClusterAccess['accessEntry']>,
    roles: PlatformRoles,
  ): void {
    const partition = Stack.of(this).partition;
    if (entry.namespaces.length === 0) {
      throw new Error(
        `EKS access entries for "${clusterName}" need the namespaces Landscape manages, ` +
          'e.g. -c eksAccessNamespaces=payments,orders (cluster-wide access is not granted by this stack)',
      );
    }
    for (const ns of entry.namespaces) {
      if (!K8S_NAMESPACE.test(ns)) {
        throw new Error(`EKS access entry for "${clusterName}": "${ns}" is not a Kubernetes namespace name`);
      }
    }
    const policies: Record<(typeof KUBERNETES_ROLES)[number], string> = {
      apply: entry.applyPolicy === 'admin' ? 'AmazonEKSAdminPolicy' : 'AmazonEKSEditPolicy',
      drift: 'AmazonEKSViewPolicy',
      api: 'AmazonEKSViewPolicy',
    };
    for (const name of KUBERNETES_ROLES) {
      this.accessEntries.push(
        new eks.CfnAccessEntry(this, `${clusterName}-${name}`, {
          clusterName,
          principalArn: roles[name].roleArn,
          type: 'STANDARD',
          accessPolicies: [
            {
              policyArn: `arn:${partition}:eks::aws:cluster-access-policy/${policies[name]}`,
              accessScope: { type: 'namespace', namespaces: [...entry.namespaces] },
            },
          ],
        }),
      );
    }
  }
}

function acknowledge(role: iam.IRole, resource: string, reason: string): void {
  Validations.of(role).acknowledge({ id: `AwsSolutions::AwsSolutions-IAM5[Resource::${resource}]`, reason });
}
