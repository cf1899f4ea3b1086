import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { STATE_TABLE_SCHEMA } from '../../infra/constructs/state-storage.ts';
import { LandscapeStack } from '../../infra/stacks/landscape-stack.ts';
import { TABLE_KEYS } from '../../lib/adapters/aws/index.ts';
import { newApp, REPOSITORY, synthTemplate } from './stack-fixture.ts';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

const { stack, template } = synthTemplate({ allowedRepositories: ['acme/platform'] });
/** The five Landscape functions (the CDK custom resource that empties the default security group left out). */
const LANDSCAPE_FUNCTION = /^(Webhook|Apply|Drift|Api|Monitor)Function[0-9A-F]{8}$/;
const functions = Object.fromEntries(
  Object.entries(template.findResources('AWS::Lambda::Function') as Record<string, Resource>).filter(([id]) =>
    LANDSCAPE_FUNCTION.test(id),
  ),
);
const fnId = (name: string) => {
  const id = Object.keys(functions).find((k) => k.startsWith(`${name}Function`));
  if (!id) throw new Error(`no function ${name}`);
  return id;
};
const fnProps = (name: string) => (functions[fnId(name)]?.Properties ?? {}) as Record<string, unknown>;
const env = (name: string) => (fnProps(name).Environment as { Variables: Record<string, unknown> }).Variables;

/** Every statement of the inline policies attached to a function's role. */
function statementsOf(name: string): Statement[] {
  const roleRef = (fnProps(name).Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const policies = template.findResources('AWS::IAM::Policy') as Record<string, Resource>;
  return Object.values(policies)
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleRef))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe('LandscapeStack resources', () => {
  it('has the five functions, on Node 24 / ARM64 with active tracing, a DLQ and JSON logs', () => {
    expect(Object.keys(functions)).toHaveLength(5);
    for (const name of ['Webhook', 'Apply', 'Drift', 'Api', 'Monitor']) {
      expect(fnProps(name)).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        DeadLetterConfig: { TargetArn: expect.anything() },
        LoggingConfig: { LogFormat: 'JSON', LogGroup: expect.anything() },
      });
      expect(env(name).NODE_OPTIONS).toBe('--enable-source-maps');
    }
  });

  it('runs apply without blind retries, and names it so it can invoke itself', () => {
    expect(fnProps('Apply')).toMatchObject({ Timeout: 900 });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId('Apply') },
      MaximumRetryAttempts: 0,
    });
    expect(env('Apply').WORKER_FUNCTION_NAME).toEqual(fnProps('Apply').FunctionName);
  });

  it('puts apply, drift, api and monitor in private subnets of the VPC, the public webhook outside it', () => {
    for (const name of ['Apply', 'Drift', 'Api', 'Monitor']) expect(fnProps(name).VpcConfig).toBeDefined();
    expect(fnProps('Webhook').VpcConfig).toBeUndefined();
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 2);
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT' });
  });

  it('gives the functions the variables functions/shared/config.ts parses', () => {
    expect(env('Webhook')).toMatchObject({
      LANDSCAPE_STORE: 'aws',
      STATE_TABLE: expect.anything(),
      GITHUB_WEBHOOK_SECRET_ID: expect.anything(),
      ALLOWED_REPOSITORIES: 'acme/platform',
      WORKER_FUNCTION_NAME: fnProps('Apply').FunctionName,
    });
    // The webhook's store is the table only.
    expect(env('Webhook')).not.toHaveProperty('STATE_BUCKET');
    expect(env('Api')).toMatchObject({ API_AUTH: 'iam', WORKER_FUNCTION_NAME: fnProps('Apply').FunctionName });
    for (const name of ['Apply', 'Drift', 'Api', 'Monitor']) {
      expect(env(name)).toMatchObject({ STATE_BUCKET: expect.anything(), SECRETS_READER_ROLE_ARN: expect.anything() });
    }
    // One name for the worker: the variable it was also known by is gone everywhere.
    for (const name of ['Webhook', 'Apply', 'Drift', 'Api', 'Monitor'])
      expect(env(name)).not.toHaveProperty('APPLY_FUNCTION_NAME');
  });

  it('serves POST /webhooks/github without auth and /api/* behind the IAM authorizer, with access logs', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /webhooks/github',
      AuthorizationType: 'NONE',
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'ANY /api/{proxy+}',
      AuthorizationType: 'AWS_IAM',
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AccessLogSettings: { DestinationArn: Match.anyValue() },
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 50 },
    });
  });

  it('keeps plans (and audit records) in private, versioned, KMS-encrypted, TLS-only buckets', () => {
    template.resourceCountIs('AWS::S3::Bucket', 2);
    template.allResourcesProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() } },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('declares the state table of ADR 0020: pk/sk, gsi1, TTL, PITR, customer key, retained', () => {
    expect(STATE_TABLE_SCHEMA).toEqual(TABLE_KEYS);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          Match.objectLike({
            IndexName: 'gsi1',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          }),
        ],
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: Match.objectLike({ SSEEnabled: true, SSEType: 'KMS' }),
        DeletionProtectionEnabled: true,
      }),
    });
  });

  it('ticks drift every 5 minutes (each environment’s own schedule decides) and monitoring every minute, with retries and the DLQ', () => {
    template.resourceCountIs('AWS::Scheduler::Schedule', 2);
    for (const [name, expression] of [
      ['Drift', 'rate(5 minutes)'],
      ['Monitor', 'rate(1 minute)'],
    ] as const) {
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: expression,
        Target: Match.objectLike({
          Arn: { 'Fn::GetAtt': [fnId(name), 'Arn'] },
          DeadLetterConfig: { Arn: Match.anyValue() },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
        }),
      });
    }
  });

  it('alarms on every function error and on any message in the DLQ', () => {
    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 6);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      AlarmActions: [Match.anyValue()],
    });
    template.resourceCountIs('AWS::SecretsManager::Secret', 2);
  });
});

describe('LandscapeStack IAM', () => {
  it('uses no AWS managed policies and no wildcard actions', () => {
    const roles = template.findResources('AWS::IAM::Role') as Record<string, Resource>;
    const managed = Object.entries(roles).filter(([, role]) => role.Properties.ManagedPolicyArns !== undefined);
    // The one exception: aws-cdk-lib's provider for @aws-cdk/aws-ec2:restrictDefaultSecurityGroup (logs only).
    expect(managed.map(([id, role]) => [id, role.Properties.ManagedPolicyArns])).toEqual([
      [
        'CustomVpcRestrictDefaultSGCustomResourceProviderRole26592FE0',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub, not a template
        [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' }],
      ],
    ]);
    for (const name of ['Webhook', 'Apply', 'Drift', 'Api', 'Monitor']) {
      for (const s of statementsOf(name)) for (const a of actionsOf(s)) expect(a).not.toContain('*');
    }
  });

  it('allows Resource "*" only for X-Ray and, in the VPC, Lambda ENI actions', () => {
    for (const name of ['Webhook', 'Apply', 'Drift', 'Api', 'Monitor']) {
      const open = statementsOf(name).filter((s) => s.Resource === '*');
      for (const a of open.flatMap(actionsOf)) expect(a).toMatch(/^(xray|ec2):/);
    }
  });

  it('scopes DynamoDB to the table (and its one index), S3 plan access to plans/, invoke to apply', () => {
    const tableId = Object.keys(template.findResources('AWS::DynamoDB::Table'))[0];
    const table = { 'Fn::GetAtt': [tableId, 'Arn'] };
    const index = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, '/index/gsi1']] };
    for (const name of ['Webhook', 'Apply', 'Drift', 'Api', 'Monitor']) {
      const statements = statementsOf(name);
      const dynamo = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
      expect(dynamo.length).toBeGreaterThan(0);
      for (const s of dynamo) expect([[table], [table, index], table]).toContainEqual(s.Resource);
      const s3 = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
      for (const s of s3) expect(JSON.stringify(s.Resource)).toMatch(/\/(plans|audit)\/\*|AuditBucket/);
      const invoke = statements.filter((s) => actionsOf(s).includes('lambda:InvokeFunction'));
      for (const s of invoke) expect(JSON.stringify(s.Resource)).toContain('-apply');
    }
    // Fenced writes (TransactWriteItems) check the lease item with ConditionCheckItem (ADR 0006).
    expect(statementsOf('Apply').flatMap(actionsOf)).toContain('dynamodb:ConditionCheckItem');
  });

  it('lets no function read the platform secrets prefix itself, and only the webhook read the webhook secret', () => {
    const readsPrefix = (name: string) =>
      statementsOf(name).some((s) => JSON.stringify(s.Resource).includes('secret:landscape/'));
    expect(['Webhook', 'Apply', 'Drift', 'Api', 'Monitor'].filter(readsPrefix)).toEqual([]);
    const secretId = Object.keys(template.findResources('AWS::SecretsManager::Secret')).find((k) =>
      k.startsWith('WebhookSecret'),
    );
    const readsWebhookSecret = (name: string) =>
      statementsOf(name).some((s) => JSON.stringify(s.Resource).includes(`"Ref":"${secretId}"`));
    expect(['Webhook', 'Apply', 'Drift', 'Api', 'Monitor'].filter(readsWebhookSecret)).toEqual(['Webhook']);
  });
});

describe('LandscapeStack synthesis', () => {
  it('needs no context lookups (env-agnostic, offline)', () => {
    const assembly = stack.node.root as unknown as { synth(): { manifest: { missing?: unknown[] } } };
    expect(assembly.synth().manifest.missing ?? []).toEqual([]);
    expect(stack.environment).toBe('aws://unknown-account/unknown-region');
  });

  it('lets only the audit writers (apply, drift, api) put objects into the S3 audit buckets it is given', () => {
    const { template: withAudit } = synthTemplate({ auditBuckets: ['acme-audit'] });
    const roles = withAudit.findResources('AWS::IAM::Policy');
    const putters = Object.entries(roles)
      .filter(([, policy]) => JSON.stringify(policy).includes(':s3:::acme-audit/*'))
      .map(([id]) => id.replace(/Role.*$/, ''))
      .sort();
    expect(putters).toEqual(['Api', 'Apply', 'Drift']);
    // PutObject only, on the bucket's objects only.
    expect(JSON.stringify(roles)).toContain(
      '{"Action":"s3:PutObject","Effect":"Allow","Resource":{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":s3:::acme-audit/*"]]}}',
    );
  });

  it('authenticates as a GitHub App installation when one is given, with the key in the credentials secret', () => {
    const { template: withApp } = synthTemplate({ githubApp: { appId: '12345', installationId: '42' } });
    const variables = Object.entries(withApp.findResources('AWS::Lambda::Function'))
      .filter(([id]) => LANDSCAPE_FUNCTION.test(id))
      .map(([, f]) => f)
      .map((f) => (f.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables);
    // The functions that call GitHub (apply, drift); not the webhook, the api nor the monitor.
    expect(variables.filter((v) => v.GITHUB_APP_ID)).toHaveLength(2);
    for (const v of variables.filter((x) => x.GITHUB_APP_ID)) {
      expect(v).toMatchObject({ GITHUB_APP_ID: '12345', GITHUB_APP_INSTALLATION_ID: '42' });
      expect(v.GITHUB_APP_PRIVATE_KEY_SECRET_ID).toEqual(v.GITHUB_TOKEN_SECRET_ID);
    }
    withApp.hasOutput('GitHubCredentialsSecretArn', { Description: 'Put the GitHub App private key (PEM) here' });
    expect(env('Apply').GITHUB_APP_ID).toBeUndefined();
  });

  it('runs in an existing VPC named by id, subnets and zones, without creating one', () => {
    const { template: imported } = synthTemplate({
      vpc: {
        vpcId: 'vpc-0abc1234def567890',
        privateSubnetIds: ['subnet-a', 'subnet-b'],
        availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      },
    });
    imported.resourceCountIs('AWS::EC2::VPC', 0);
    imported.resourceCountIs('AWS::EC2::NatGateway', 0);
    imported.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: { SubnetIds: ['subnet-a', 'subnet-b'], SecurityGroupIds: Match.anyValue() },
    });
  });

  it('refuses an imported VPC without its private subnets', () => {
    expect(
      () =>
        new LandscapeStack(newApp(), 'Landscape', {
          code: 'inline',
          allowedRepositories: [REPOSITORY],
          vpc: { vpcId: 'vpc-0abc1234def567890', privateSubnetIds: [], availabilityZones: ['eu-west-1a'] },
        }),
    ).toThrow(/importing VPC "vpc-0abc1234def567890": give privateSubnetIds and availabilityZones/);
  });
});
