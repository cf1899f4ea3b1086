import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { ACCESS_LOG_FIELDS } from '../../infra/constructs/http-api.ts';
import { wildcardGrants } from './iam-wildcards.ts';
import { CDK_JSON_CONTEXT, newApp, REPOSITORY, synthTemplate } from './stack-fixture.ts';

type Resource = {
  Type: string;
  Properties: Record<string, unknown>;
  DependsOn?: string[];
};
type Statement = { Action: string | string[]; Effect: string; Principal?: unknown; Condition?: unknown; Sid?: string };

const resources = (template: Template, type: string) => template.findResources(type) as Record<string, Resource>;
const idOf = (template: Template, type: string, prefix: string) => {
  const id = Object.keys(resources(template, type)).find((k) => k.startsWith(prefix));
  if (!id) throw new Error(`no ${type} ${prefix}`);
  return id;
};
const IMPORTED = {
  vpcId: 'vpc-0123456789abcdef0',
  privateSubnetIds: ['subnet-0123456789abcdef1', 'subnet-0123456789abcdef2'],
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
};

const { template } = synthTemplate();

describe('alarm topic key: CloudWatch may use it for this account’s alarms only', () => {
  it('encrypts the alarm topic with its own key, not the state key', () => {
    const topic = Object.values(resources(template, 'AWS::SNS::Topic'))[0];
    expect(topic?.Properties.KmsMasterKeyId).toEqual({
      'Fn::GetAtt': [idOf(template, 'AWS::KMS::Key', 'AlarmKey'), 'Arn'],
    });
  });

  it('conditions the CloudWatch grant on aws:SourceAccount and aws:SourceArn, on the key and on the topic', () => {
    const fromOwnAlarms = {
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: {
        'aws:SourceArn': {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':cloudwatch:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':alarm:*',
            ],
          ],
        },
      },
    };
    const cloudwatch = (statements: Statement[]) =>
      statements.filter((s) => JSON.stringify(s.Principal).includes('cloudwatch.amazonaws.com'));
    const keys = resources(template, 'AWS::KMS::Key');
    const alarmKey = keys[idOf(template, 'AWS::KMS::Key', 'AlarmKey')];
    const stateKey = keys[idOf(template, 'AWS::KMS::Key', 'StateKey')];
    const keyStatements = (k: Resource | undefined) => {
      if (!k) throw new Error('no such key');
      return (k.Properties.KeyPolicy as { Statement: Statement[] }).Statement;
    };
    expect(cloudwatch(keyStatements(alarmKey)).map((s) => [s.Action, s.Condition])).toEqual([
      [['kms:Decrypt', 'kms:GenerateDataKey'], fromOwnAlarms],
    ]);
    // The state key (plans, table, audit records) names no service principal at all.
    expect(JSON.stringify(keyStatements(stateKey))).not.toContain('amazonaws.com');
    const [topicPolicy] = Object.values(resources(template, 'AWS::SNS::TopicPolicy'));
    if (!topicPolicy) throw new Error('the alarm topic has no policy');
    const topicStatements = (topicPolicy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
    expect(cloudwatch(topicStatements).map((s) => [s.Action, s.Condition])).toEqual([['sns:Publish', fromOwnAlarms]]);
  });
});

describe('VPC default security group', () => {
  it('is emptied of its rules when the stack creates the VPC (the feature flag is on in cdk.json)', () => {
    expect(CDK_JSON_CONTEXT['@aws-cdk/aws-ec2:restrictDefaultSecurityGroup']).toBe(true);
    const restrict = Object.values(resources(template, 'Custom::VpcRestrictDefaultSG'));
    expect(restrict.map((r) => r.Properties.DefaultSecurityGroupId)).toEqual([
      { 'Fn::GetAtt': [idOf(template, 'AWS::EC2::VPC', 'NetworkVpc'), 'DefaultSecurityGroup'] },
    ]);
  });

  it('keeps every recommended CDK feature flag of this aws-cdk-lib, two of them deliberately off', () => {
    const recommended = JSON.parse(
      readFileSync(
        join(import.meta.dirname, '..', '..', 'node_modules', 'aws-cdk-lib', 'recommended-feature-flags.json'),
        'utf8',
      ),
    ) as Record<string, unknown>;
    const differing = Object.keys(recommended).filter(
      (flag) => JSON.stringify(CDK_JSON_CONTEXT[flag]) !== JSON.stringify(recommended[flag]),
    );
    // minimizePolicies merges statements (one statement per grant reads better and the tests name them);
    // additional metadata collection reports construct properties to AWS (telemetry stays off).
    expect(differing.sort()).toEqual([
      '@aws-cdk/aws-iam:minimizePolicies',
      '@aws-cdk/core:enableAdditionalMetadataCollection',
    ]);
    expect(CDK_JSON_CONTEXT['@aws-cdk/aws-iam:minimizePolicies']).toBe(false);
    expect(CDK_JSON_CONTEXT['@aws-cdk/core:enableAdditionalMetadataCollection']).toBe(false);
  });
});

describe('HTTP API', () => {
  const stageId = idOf(template, 'AWS::ApiGatewayV2::Stage', 'HttpDefaultStage');
  const stage = resources(template, 'AWS::ApiGatewayV2::Stage')[stageId] as Resource;

  it('throttles the webhook route apart from the operator API routes', () => {
    expect(stage.Properties.RouteSettings).toEqual({
      'POST /webhooks/github': { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 25 },
      'ANY /api/{proxy+}': { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 25 },
    });
    // Route settings name the routes by key: the stage is created after them.
    const routes = Object.keys(resources(template, 'AWS::ApiGatewayV2::Route'));
    expect(routes).toHaveLength(2);
    for (const route of routes) expect(stage.DependsOn).toContain(route);
  });

  it('writes access logs as JSON with the request id, into a log group with retention', () => {
    const settings = stage.Properties.AccessLogSettings as {
      Format: string;
      DestinationArn: { 'Fn::GetAtt': string[] };
    };
    expect(JSON.parse(settings.Format)).toEqual(ACCESS_LOG_FIELDS);
    expect(JSON.parse(settings.Format)).toMatchObject({
      requestId: '$context.requestId',
      routeKey: '$context.routeKey',
    });
    const group = resources(template, 'AWS::Logs::LogGroup')[settings.DestinationArn['Fn::GetAtt'][0] as string];
    expect(group?.Properties.RetentionInDays).toBe(90);
  });
});

describe('IAM wildcards', () => {
  it('are exactly these, each acknowledged with its reason in cdk-nag (landscape-nag.test.ts fails on any other)', () => {
    expect(wildcardGrants(template)).toEqual([
      // Lambda ENI management for in-VPC functions and X-Ray: AWS documents Resource "*" for both.
      ...['Api', 'Apply', 'Drift', 'Monitor'].flatMap((role) => [
        `<${role}Role> ec2:AssignPrivateIpAddresses,ec2:CreateNetworkInterface,ec2:DeleteNetworkInterface,ec2:DescribeNetworkInterfaces,ec2:DescribeSubnets,ec2:UnassignPrivateIpAddresses *`,
        ...(role === 'Api'
          ? [
              '<ApiRole> s3:GetObject <AuditBucket.Arn>/audit/*',
              '<ApiRole> s3:GetObject <StatePlanBucket.Arn>/plans/*',
              '<ApiRole> s3:PutObject <AuditBucket.Arn>/audit/*',
            ]
          : []),
        ...(role === 'Apply' || role === 'Drift'
          ? [
              `<${role}Role> s3:DeleteObject,s3:GetObject,s3:PutObject <StatePlanBucket.Arn>/plans/*`,
              `<${role}Role> s3:PutObject <AuditBucket.Arn>/audit/*`,
            ]
          : []),
        `<${role}Role> xray:PutTelemetryRecords,xray:PutTraceSegments *`,
      ]),
      // The schedules invoke one function, any version or alias of it.
      expect.stringMatching(/^<SchedulerRoleForTarget\w+> lambda:InvokeFunction <DriftFunction\.Arn>:\*$/),
      expect.stringMatching(/^<SchedulerRoleForTarget\w+> lambda:InvokeFunction <MonitorFunction\.Arn>:\*$/),
      // Secret names chosen in git, limited to the session's environment.
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, written as IAM spells it
      '<SecretsReaderRole> secretsmanager:GetSecretValue arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:landscape/${aws:PrincipalTag/landscape-environment}/*',
      '<WebhookRole> xray:PutTelemetryRecords,xray:PutTraceSegments *',
    ]);
  });
});

describe('cost: no NAT gateway unless the stack makes the VPC', () => {
  it('creates no NAT gateway, no Elastic IP and no VPC in an imported VPC', () => {
    const { template: imported } = synthTemplate({ vpc: IMPORTED });
    for (const type of ['AWS::EC2::NatGateway', 'AWS::EC2::EIP', 'AWS::EC2::VPC', 'AWS::EC2::InternetGateway']) {
      imported.resourceCountIs(type, 0);
    }
    imported.resourceCountIs('Custom::VpcRestrictDefaultSG', 0);
  });

  it('adds, with vpcEndpoints, interface endpoints for what the in-VPC functions call, reachable from them only', () => {
    const { template: withEndpoints } = synthTemplate({ vpcEndpoints: true });
    const endpoints = Object.values(resources(withEndpoints, 'AWS::EC2::VPCEndpoint')).map((e) => e.Properties);
    const serviceOf = (e: Record<string, unknown>) => JSON.stringify(e.ServiceName).match(/\.(\w+)"/)?.[1];
    expect(
      endpoints
        .filter((e) => e.VpcEndpointType === 'Interface')
        .map(serviceOf)
        .sort(),
    ).toEqual(['lambda', 'secretsmanager', 'sts']);
    // S3 and DynamoDB through the created VPC's (free) gateway endpoints.
    expect(endpoints.filter((e) => e.VpcEndpointType === 'Gateway')).toHaveLength(2);
    for (const e of endpoints.filter((x) => x.VpcEndpointType === 'Interface')) expect(e.PrivateDnsEnabled).toBe(true);
    const groupId = idOf(withEndpoints, 'AWS::EC2::SecurityGroup', 'NetworkEndpointSecurityGroup');
    const group = resources(withEndpoints, 'AWS::EC2::SecurityGroup')[groupId];
    expect(group?.Properties.SecurityGroupIngress).toBeUndefined();
    const ingress = Object.values(resources(withEndpoints, 'AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties);
    expect(ingress).toEqual([
      expect.objectContaining({
        GroupId: { 'Fn::GetAtt': [groupId, 'GroupId'] },
        SourceSecurityGroupId: {
          'Fn::GetAtt': [idOf(withEndpoints, 'AWS::EC2::SecurityGroup', 'NetworkFunctionSecurityGroup'), 'GroupId'],
        },
        FromPort: 443,
        ToPort: 443,
      }),
    ]);
  });

  it('adds EKS when clusters are named, and gateway endpoints to an imported VPC given its route tables', () => {
    const { template: imported } = synthTemplate({
      vpc: { ...IMPORTED, routeTableIds: ['rtb-0123456789abcdef1', 'rtb-0123456789abcdef2'] },
      vpcEndpoints: true,
      eks: [{ clusterName: 'platform-prod' }],
    });
    const endpoints = Object.values(resources(imported, 'AWS::EC2::VPCEndpoint')).map((e) => e.Properties);
    expect(endpoints.filter((e) => e.VpcEndpointType === 'Interface')).toHaveLength(4);
    expect(JSON.stringify(endpoints)).toContain('.eks');
    const gateways = endpoints.filter((e) => e.VpcEndpointType === 'Gateway');
    expect(gateways.map((g) => g.RouteTableIds)).toEqual([
      ['rtb-0123456789abcdef1', 'rtb-0123456789abcdef2'],
      ['rtb-0123456789abcdef1', 'rtb-0123456789abcdef2'],
    ]);
    imported.resourceCountIs('AWS::EC2::NatGateway', 0);
    // Without route tables the imported VPC is assumed to route S3 and DynamoDB already.
    const { template: noRoutes } = synthTemplate({ vpc: IMPORTED, vpcEndpoints: true });
    const kinds = Object.values(resources(noRoutes, 'AWS::EC2::VPCEndpoint')).map((e) => e.Properties.VpcEndpointType);
    expect(kinds).toEqual(['Interface', 'Interface', 'Interface']);
  });

  it('reads vpcEndpoints and privateRouteTableIds from context, refusing what it cannot read', () => {
    const app = newApp({
      code: 'inline',
      nag: 'false',
      allowedRepositories: REPOSITORY,
      vpcId: IMPORTED.vpcId,
      privateSubnetIds: IMPORTED.privateSubnetIds.join(','),
      availabilityZones: IMPORTED.availabilityZones.join(','),
      privateRouteTableIds: 'rtb-0123456789abcdef1,rtb-0123456789abcdef2',
      vpcEndpoints: 'true',
    });
    const fromContext = Template.fromStack(buildApp(app));
    fromContext.resourceCountIs('AWS::EC2::VPCEndpoint', 5);
    expect(() =>
      buildApp(newApp({ code: 'inline', nag: 'false', allowedRepositories: REPOSITORY, vpcEndpoints: 'yes' })),
    ).toThrow('vpcEndpoints: "yes" is not true or false');
    expect(() => synthTemplate({ vpc: { ...IMPORTED, routeTableIds: ['rtb-0123456789abcdef1'] } })).toThrow(
      /give one route table per private subnet \(2\)/,
    );
  });
});
