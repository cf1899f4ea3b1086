import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { MSK_ACTIONS, mskResourceArns } from '../../infra/constructs/platform-access.ts';
import type { LandscapeStackProps } from '../../infra/stacks/landscape-stack.ts';
import { newApp, REPOSITORY, synthTemplate } from './stack-fixture.ts';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

const CLUSTER = 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab-3';
const TOPICS = 'arn:aws:kafka:eu-west-1:123456789012:topic/orders/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab-3';
const GROUPS = 'arn:aws:kafka:eu-west-1:123456789012:group/orders/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab-3';
const FUNCTIONS = ['Webhook', 'Apply', 'Drift', 'Api', 'Monitor'] as const;
const WRITE_ACTIONS = /^kafka-cluster:(Create|Alter|Delete|Write)/;

/** Every statement of the inline policies attached to a function's role. */
function statementsOf(template: Template, name: string): Statement[] {
  const functions = template.findResources('AWS::Lambda::Function') as Record<string, Resource>;
  const fn = Object.entries(functions).find(([id]) => id.startsWith(`${name}Function`))?.[1];
  if (!fn) throw new Error(`no function ${name}`);
  const roleRef = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const policies = template.findResources('AWS::IAM::Policy') as Record<string, Resource>;
  return Object.values(policies)
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleRef))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesOf = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);
/** `action -> resources` of one function's statements with the given action prefix. */
function grants(template: Template, name: string, prefix: string): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const s of statementsOf(template, name)) {
    for (const a of actionsOf(s).filter((x) => x.startsWith(prefix))) {
      out[a] = [...(out[a] ?? []), ...resourcesOf(s)];
    }
  }
  return out;
}
/** The `sts:AssumeRole` grants on roles outside the stack (the SecretsReader role of the stack left out). */
function platformRoles(stsGrants: Record<string, unknown[]>): Record<string, unknown[]> {
  const assume = (stsGrants['sts:AssumeRole'] ?? []).filter((r) => typeof r === 'string');
  return assume.length > 0 ? { 'sts:AssumeRole': assume } : {};
}
type EgressRule = {
  IpProtocol: string;
  FromPort?: number;
  ToPort?: number;
  CidrIp?: string;
  DestinationPrefixListId?: string;
};
function egressOf(template: Template): EgressRule[] {
  const groups = template.findResources('AWS::EC2::SecurityGroup') as Record<string, Resource>;
  const sg = Object.entries(groups).find(([id]) => id.startsWith('NetworkFunctionSecurityGroup'))?.[1];
  const inline = (sg?.Properties.SecurityGroupEgress ?? []) as EgressRule[];
  // Rules to another security group are separate resources.
  const separate = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress') as Record<string, Resource>);
  return [...inline, ...separate.map((r) => r.Properties as unknown as EgressRule)];
}
const withMsk: Partial<LandscapeStackProps> = { msk: [{ clusterArn: CLUSTER }] };

describe('MSK IAM access', () => {
  it('grants nothing on Kafka when no MSK cluster is named', () => {
    // Act
    const { template } = synthTemplate();
    // Assess
    for (const name of FUNCTIONS) expect(grants(template, name, 'kafka-cluster:')).toEqual({});
  });

  it('gives apply the topic actions it sends, on that cluster, its topics and nothing else', () => {
    // Act
    const { template } = synthTemplate(withMsk);
    // Assess
    expect(grants(template, 'Apply', 'kafka-cluster:')).toEqual({
      'kafka-cluster:Connect': [CLUSTER],
      'kafka-cluster:DescribeCluster': [CLUSTER],
      'kafka-cluster:CreateTopic': [`${TOPICS}/*`],
      'kafka-cluster:DescribeTopic': [`${TOPICS}/*`],
      'kafka-cluster:AlterTopic': [`${TOPICS}/*`],
      'kafka-cluster:DeleteTopic': [`${TOPICS}/*`],
      'kafka-cluster:DescribeTopicDynamicConfiguration': [`${TOPICS}/*`],
      'kafka-cluster:AlterTopicDynamicConfiguration': [`${TOPICS}/*`],
    });
  });

  it('keeps drift, monitor and api read-only; only the monitor reads groups; the webhook gets nothing', () => {
    // Act
    const { template } = synthTemplate(withMsk);
    // Assess
    expect(grants(template, 'Drift', 'kafka-cluster:')).toEqual({
      'kafka-cluster:Connect': [CLUSTER],
      'kafka-cluster:DescribeCluster': [CLUSTER],
      'kafka-cluster:DescribeTopic': [`${TOPICS}/*`],
      'kafka-cluster:DescribeTopicDynamicConfiguration': [`${TOPICS}/*`],
    });
    expect(grants(template, 'Monitor', 'kafka-cluster:')).toEqual({
      'kafka-cluster:Connect': [CLUSTER],
      'kafka-cluster:DescribeCluster': [CLUSTER],
      'kafka-cluster:DescribeTopic': [`${TOPICS}/*`],
      'kafka-cluster:ReadData': [`${TOPICS}/*`],
      'kafka-cluster:DescribeGroup': [`${GROUPS}/*`],
    });
    expect(grants(template, 'Api', 'kafka-cluster:')).toEqual({
      'kafka-cluster:Connect': [CLUSTER],
      'kafka-cluster:DescribeCluster': [CLUSTER],
      'kafka-cluster:DescribeTopic': [`${TOPICS}/*`],
      'kafka-cluster:ReadData': [`${TOPICS}/*`],
    });
    for (const name of ['Drift', 'Monitor', 'Api']) {
      expect(Object.keys(grants(template, name, 'kafka-cluster:')).filter((a) => WRITE_ACTIONS.test(a))).toEqual([]);
    }
    expect(grants(template, 'Webhook', 'kafka-cluster:')).toEqual({});
  });

  it('lets only the audit writers write, and only to the audit topics named on that cluster', () => {
    // Act
    const { template } = synthTemplate({ msk: [{ clusterArn: CLUSTER, auditTopics: ['landscape.audit'] }] });
    // Assess
    for (const name of ['Apply', 'Drift', 'Api']) {
      expect(grants(template, name, 'kafka-cluster:WriteData')).toEqual({
        'kafka-cluster:WriteData': [`${TOPICS}/landscape.audit`],
      });
    }
    expect(grants(template, 'Monitor', 'kafka-cluster:WriteData')).toEqual({});
  });

  it('scopes every grant of several clusters to that cluster’s own ARNs', () => {
    // Prepare
    const other = 'arn:aws:kafka:us-east-1:210987654321:cluster/events/11112222-3333-4444-5555-666677778888-s1';
    // Act
    const { template } = synthTemplate({ msk: [{ clusterArn: CLUSTER }, { clusterArn: other }] });
    // Assess
    const prefixes = [CLUSTER, TOPICS, GROUPS, ...Object.values(mskResourceArns(other))];
    for (const name of ['Apply', 'Drift', 'Monitor', 'Api']) {
      const all = Object.values(grants(template, name, 'kafka-cluster:')).flat() as string[];
      expect(all.length).toBeGreaterThan(0);
      for (const arn of all) expect(prefixes.some((p) => arn.startsWith(p))).toBe(true);
      expect(all).toContain(mskResourceArns(other).cluster);
    }
  });

  it('refuses a cluster ARN that is not one, saying what it should look like', () => {
    expect(() =>
      synthTemplate({ msk: [{ clusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders' }] }),
    ).toThrow(
      /MSK cluster ARN "arn:aws:kafka:eu-west-1:123456789012:cluster\/orders" is not of the form arn:aws:kafka:REGION:ACCOUNT:cluster\/NAME\/UUID/,
    );
  });

  it('documents its per-function actions in one table that matches MSK’s action names', () => {
    const known =
      /^(Connect|DescribeCluster|CreateTopic|DescribeTopic|AlterTopic|DeleteTopic|DescribeTopicDynamicConfiguration|AlterTopicDynamicConfiguration|ReadData|WriteData|DescribeGroup)$/;
    for (const role of Object.values(MSK_ACTIONS)) {
      for (const a of [...role.cluster, ...role.topic, ...role.group]) expect(a).toMatch(known);
    }
  });
});

describe('EKS access', () => {
  it('lets only apply, drift and api (its doctor route) describe the EKS clusters named', () => {
    // Act
    const { template } = synthTemplate({ eks: [{ clusterName: 'platform-prod' }] });
    // Assess
    const describers = FUNCTIONS.filter((name) => 'eks:DescribeCluster' in grants(template, name, 'eks:'));
    expect(describers).toEqual(['Apply', 'Drift', 'Api']);
    expect(JSON.stringify(grants(template, 'Apply', 'eks:'))).toContain(':cluster/platform-prod"');
    template.resourceCountIs('AWS::EKS::AccessEntry', 0);
  });

  it('creates access entries scoped to namespaces when asked: edit for apply, view for drift and api', () => {
    // Act
    const { template } = synthTemplate({
      eks: [{ clusterName: 'platform-prod', accessEntry: { namespaces: ['payments', 'orders'] } }],
    });
    // Assess
    template.resourceCountIs('AWS::EKS::AccessEntry', 3);
    const entries = Object.values(template.findResources('AWS::EKS::AccessEntry') as Record<string, Resource>);
    const byRole: Record<string, { policy: string; scope: unknown; e: Resource }> = Object.fromEntries(
      entries.map((e) => {
        const [policy] = e.Properties.AccessPolicies as { PolicyArn: unknown; AccessScope: unknown }[];
        const name = /cluster-access-policy\/(\w+)/.exec(JSON.stringify(policy?.PolicyArn))?.[1] ?? '';
        const role = /"(Apply|Drift|Api)Role/.exec(JSON.stringify(e.Properties.PrincipalArn))?.[1] ?? '';
        return [role, { policy: name, scope: policy?.AccessScope, e }];
      }),
    );
    for (const { scope, e } of Object.values(byRole)) {
      expect(scope).toEqual({ Type: 'namespace', Namespaces: ['payments', 'orders'] });
      expect(e.Properties).toMatchObject({ ClusterName: 'platform-prod', Type: 'STANDARD' });
    }
    expect(Object.fromEntries(Object.entries(byRole).map(([role, { policy }]) => [role, policy]))).toEqual({
      Apply: 'AmazonEKSEditPolicy',
      Drift: 'AmazonEKSViewPolicy',
      Api: 'AmazonEKSViewPolicy',
    });
  });

  it('refuses access entries without namespaces, and a cluster ARN where a name belongs', () => {
    expect(() => synthTemplate({ eks: [{ clusterName: 'p', accessEntry: { namespaces: [] } }] })).toThrow(
      /EKS access entries for "p" need the namespaces/,
    );
    expect(() => synthTemplate({ eks: [{ clusterName: 'arn:aws:eks:eu-west-1:123456789012:cluster/p' }] })).toThrow(
      /give the name, not the ARN/,
    );
  });

  it('lets the in-VPC functions assume the roles the connections name, and the webhook not', () => {
    // Act
    const role = 'arn:aws:iam::210987654321:role/landscape-msk';
    const { template } = synthTemplate({ assumableRoleArns: [role] });
    // Assess
    for (const name of ['Apply', 'Drift', 'Monitor', 'Api']) {
      expect(platformRoles(grants(template, name, 'sts:'))).toEqual({ 'sts:AssumeRole': [role] });
    }
    expect(grants(template, 'Webhook', 'sts:')).toEqual({});
  });
});

describe('function security group egress', () => {
  it('allows by default HTTPS anywhere and the platform ports on private addresses only, never all traffic', () => {
    // Act
    const { template } = synthTemplate();
    // Assess
    const rules = egressOf(template);
    expect(rules.filter((r) => r.IpProtocol === '-1')).toEqual([]);
    expect(rules.filter((r) => r.CidrIp === '0.0.0.0/0')).toEqual([
      expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
    ]);
    const platform = rules
      .filter((r) => r.CidrIp !== '0.0.0.0/0')
      .map((r) => `${r.CidrIp} ${r.FromPort}-${r.ToPort}`)
      .sort();
    const expected = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].flatMap((cidr) =>
      ['443-443', '6443-6443', '8080-8083', '9092-9098'].map((ports) => `${cidr} ${ports}`),
    );
    expect(platform).toEqual(expected.sort());
  });

  it('uses the peers and ports it is given: CIDRs, prefix lists and security groups', () => {
    // Act
    const { template } = synthTemplate({
      egress: {
        platformPeers: ['10.20.0.0/16', 'sg-0123abcd'],
        platformPorts: ['9098', '443'],
        httpsPeers: ['pl-0a1b2c3d'],
      },
    });
    // Assess
    const rules = egressOf(template);
    expect(rules.some((r) => r.CidrIp === '0.0.0.0/0')).toBe(false);
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ DestinationPrefixListId: 'pl-0a1b2c3d', FromPort: 443, ToPort: 443 }),
        expect.objectContaining({ CidrIp: '10.20.0.0/16', FromPort: 9098, ToPort: 9098 }),
        expect.objectContaining({ CidrIp: '10.20.0.0/16', FromPort: 443, ToPort: 443 }),
        expect.objectContaining({ DestinationSecurityGroupId: 'sg-0123abcd', FromPort: 9098, ToPort: 9098 }),
      ]),
    );
    expect(rules).toHaveLength(5);
  });

  it('refuses a peer or a port it cannot read, with an example of what works', () => {
    expect(() => synthTemplate({ egress: { platformPeers: ['brokers.internal'] } })).toThrow(
      /egress peer "brokers.internal" is not a CIDR/,
    );
    expect(() => synthTemplate({ egress: { platformPorts: ['9098-9092'] } })).toThrow(/egress port "9098-9092"/);
  });
});

describe('context (cdk synth -c ...)', () => {
  it('reads the MSK, EKS, role and egress knobs from context', () => {
    // Prepare
    const app = newApp({
      code: 'inline',
      allowedRepositories: REPOSITORY,
      nag: 'false',
      mskClusterArns: CLUSTER,
      mskAuditTopics: 'landscape.audit',
      eksClusters: 'platform-prod',
      eksAccessNamespaces: 'payments',
      eksApplyAccessPolicy: 'admin',
      assumableRoleArns: 'arn:aws:iam::210987654321:role/landscape-msk',
      platformPeers: '10.20.0.0/16',
      platformPorts: '9098',
    });
    // Act
    const template = Template.fromStack(buildApp(app));
    // Assess
    expect(grants(template, 'Apply', 'kafka-cluster:WriteData')).toEqual({
      'kafka-cluster:WriteData': [`${TOPICS}/landscape.audit`],
    });
    expect(JSON.stringify(template.findResources('AWS::EKS::AccessEntry'))).toContain('AmazonEKSAdminPolicy');
    expect(platformRoles(grants(template, 'Monitor', 'sts:'))).toEqual({
      'sts:AssumeRole': ['arn:aws:iam::210987654321:role/landscape-msk'],
    });
    expect(
      egressOf(template)
        .map((r) => `${r.CidrIp} ${r.FromPort}`)
        .sort(),
    ).toEqual(['0.0.0.0/0 443', '10.20.0.0/16 9098']);
  });

  it('passes cdk-nag with every knob set, each acknowledgement with its reason', () => {
    // Prepare
    const app = newApp({
      code: 'inline',
      allowedRepositories: REPOSITORY,
      mskClusterArns: CLUSTER,
      mskAuditTopics: 'landscape.audit',
      eksClusters: 'platform-prod',
      eksAccessNamespaces: 'payments',
      assumableRoleArns: 'arn:aws:iam::210987654321:role/landscape-msk',
      platformPeers: '10.20.0.0/16,sg-0123abcd,pl-0a1b2c3d',
      vpcEndpoints: 'true',
      applyReservedConcurrency: '1',
      auditRetentionDays: '2555',
      auditLockMode: 'compliance',
    });
    buildApp(app);
    // Act
    let error: unknown;
    try {
      app.synth();
    } catch (e) {
      error = e;
    }
    // Assess
    const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; violations: { ruleName: string }[]; suppressedViolations?: unknown[] }[];
    };
    const nag = report.pluginReports.find((r) => r.pluginName === 'AwsSolutions');
    expect((nag?.violations ?? []).map((v) => v.ruleName)).toEqual([]);
    expect(error).toBeUndefined();
    expect(JSON.stringify(nag?.suppressedViolations)).toContain(`${TOPICS}/*`);
  });

  it('refuses an unknown EKS access policy', () => {
    expect(() =>
      buildApp(
        newApp({
          code: 'inline',
          nag: 'false',
          allowedRepositories: REPOSITORY,
          eksApplyAccessPolicy: 'cluster-admin',
        }),
      ),
    ).toThrow(/eksApplyAccessPolicy "cluster-admin": expected "edit" \(default\) or "admin"/);
  });

  it('builds the stack with no other context than the repositories', () => {
    expect(() => buildApp(newApp({ code: 'inline', nag: 'false', allowedRepositories: REPOSITORY }))).not.toThrow();
  });
});
