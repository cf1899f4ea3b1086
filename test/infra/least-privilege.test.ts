import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { AUDIT_FORBIDDEN_ACTIONS } from '../../infra/constructs/audit-trail.ts';
import { ITEM_KEYS } from '../../infra/constructs/state-storage.ts';
import { lockKey, planKey, seenKey, valueKey } from '../../lib/adapters/aws/table-layout.ts';
import { monitorConfigName } from '../../lib/config/published-config.ts';
import { jobValueName, pullRequestValueName } from '../../lib/model/job.ts';
import { monitorStateName } from '../../lib/monitor/types.ts';
import { ENVIRONMENT_INDEX } from '../../lib/use-cases/plan-policy.ts';
import { synthTemplate } from './stack-fixture.ts';

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };
type Statement = {
  Action: string | string[];
  Resource?: unknown;
  Effect: string;
  Condition?: Record<string, Record<string, unknown>>;
  Principal?: unknown;
};
const FUNCTIONS = ['Webhook', 'Apply', 'Drift', 'Api', 'Monitor'] as const;
// biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, written as IAM spells it
const TAG_VARIABLE = '${aws:PrincipalTag/landscape-environment}';

const list = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
/** IAM StringLike: `*` any run of characters, `?` one character. */
const like = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  ).test(value);

function resources(template: Template, type: string): Record<string, Resource> {
  return template.findResources(type) as Record<string, Resource>;
}
function idOf(template: Template, type: string, prefix: string): string {
  const id = Object.keys(resources(template, type)).find((k) => k.startsWith(prefix));
  if (!id) throw new Error(`no ${type} ${prefix}`);
  return id;
}
function roleOf(template: Template, name: string): string {
  const fn = resources(template, 'AWS::Lambda::Function')[idOf(template, 'AWS::Lambda::Function', `${name}Function`)];
  if (!fn) throw new Error(`no function ${name}`);
  return (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
}
/** Every statement of the inline policies attached to role `roleId`. */
function statementsOfRole(template: Template, roleId: string): Statement[] {
  return Object.values(resources(template, 'AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(`"Ref":"${roleId}"`))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}
const statementsOf = (template: Template, name: string) => statementsOfRole(template, roleOf(template, name));
const actionsOf = (s: Statement) => list(s.Action);
const withPrefix = (statements: Statement[], prefix: string) =>
  statements.filter((s) => actionsOf(s).some((a) => a.startsWith(prefix)));
const leadingKeys = (s: Statement) =>
  (s.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] as string[] | undefined) ?? undefined;

const { template } = synthTemplate();

describe('the partition keys the grants name are the ones the code writes', () => {
  it('matches each item family of lib/adapters/aws/table-layout.ts and the value names in lib', () => {
    expect(like(ITEM_KEYS.seen, seenKey('delivery:abc').pk)).toBe(true);
    expect(like(ITEM_KEYS.jobs, valueKey(jobValueName('0f3c')).pk)).toBe(true);
    expect(like(ITEM_KEYS.pullRequests, valueKey(pullRequestValueName('acme/platform', 7)).pk)).toBe(true);
    expect(like(ITEM_KEYS.environmentIndex, valueKey(ENVIRONMENT_INDEX).pk)).toBe(true);
    expect(like(ITEM_KEYS.monitor, valueKey(monitorConfigName('prod')).pk)).toBe(true);
    expect(like(ITEM_KEYS.monitorState, valueKey(monitorStateName('prod')).pk)).toBe(true);
    expect(like(ITEM_KEYS.monitorState, valueKey(monitorConfigName('prod')).pk)).toBe(false);
    expect(like(ITEM_KEYS.plans, planKey('p1').pk)).toBe(true);
    expect(like(ITEM_KEYS.locks, lockKey('prod').pk)).toBe(true);
    // The webhook's patterns reach none of the items that decide what is applied.
    for (const pk of [planKey('p1').pk, lockKey('prod').pk, 'ENV#prod', valueKey('index/environments').pk]) {
      expect([ITEM_KEYS.seen, ITEM_KEYS.jobs, ITEM_KEYS.pullRequests].some((p) => like(p, pk))).toBe(false);
    }
  });
});

describe('webhook (internet-facing): only its replay memory and the job values it hands over', () => {
  const statements = statementsOf(template, 'Webhook');

  it('writes SEEN# items and job / pull-request values only, by dynamodb:LeadingKeys, and reads nothing', () => {
    const dynamo = withPrefix(statements, 'dynamodb:');
    expect(dynamo).toHaveLength(1);
    expect(actionsOf(dynamo[0] as Statement).sort()).toEqual([
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:PutItem',
    ]);
    expect(leadingKeys(dynamo[0] as Statement)).toEqual(['SEEN#*', 'VALUE#job/*', 'VALUE#pull-request/*']);
  });

  it('has no S3 at all, no GitHub credentials, no platform secrets, no STS, and the key only through DynamoDB', () => {
    expect(withPrefix(statements, 's3:')).toEqual([]);
    expect(withPrefix(statements, 'sts:')).toEqual([]);
    const secrets = withPrefix(statements, 'secretsmanager:');
    expect(secrets.map((s) => s.Resource)).toEqual([
      { Ref: idOf(template, 'AWS::SecretsManager::Secret', 'WebhookSecret') },
    ]);
    const kms = withPrefix(statements, 'kms:');
    expect(kms.map((s) => JSON.stringify(s.Condition))).toEqual([
      JSON.stringify({
        StringEquals: {
          'kms:ViaService': [{ 'Fn::Join': ['', ['dynamodb.', { Ref: 'AWS::Region' }, '.amazonaws.com']] }],
        },
      }),
    ]);
  });
});

describe('monitor and api: only what they use', () => {
  it('monitor reads the environment list and monitor values, writes only its alert state, no S3', () => {
    const statements = statementsOf(template, 'Monitor');
    const dynamo = withPrefix(statements, 'dynamodb:');
    expect(dynamo.map((s) => [actionsOf(s).sort(), leadingKeys(s)])).toEqual([
      [
        ['dynamodb:GetItem', 'dynamodb:Query'],
        ['VALUE#index/environments', 'VALUE#monitor/*'],
      ],
      [['dynamodb:BatchWriteItem', 'dynamodb:PutItem'], ['VALUE#monitor/*/state']],
    ]);
    expect(withPrefix(statements, 's3:')).toEqual([]);
  });

  it('api reads plans (never writes a plan body), writes only plan status, leases and values', () => {
    const statements = statementsOf(template, 'Api');
    const dynamo = withPrefix(statements, 'dynamodb:');
    const writes = dynamo.filter((s) => actionsOf(s).some((a) => !/:(GetItem|Query)$/.test(a)));
    expect(writes.map((s) => [actionsOf(s).sort(), leadingKeys(s)])).toEqual([
      [
        ['dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        ['PLAN#*', 'LOCK#*', 'VALUE#*'],
      ],
    ]);
    expect(dynamo.flatMap(actionsOf)).not.toContain('dynamodb:DeleteItem');
    const plans = withPrefix(statements, 's3:').filter((s) => JSON.stringify(s.Resource).includes('/plans/*'));
    expect(plans.flatMap(actionsOf)).toEqual(['s3:GetObject']);
  });

  it('only apply deletes items (a failed job releases its replay keys); only apply and drift write plan bodies', () => {
    const deleters = FUNCTIONS.filter((n) =>
      withPrefix(statementsOf(template, n), 'dynamodb:').some((s) => actionsOf(s).includes('dynamodb:DeleteItem')),
    );
    expect(deleters).toEqual(['Webhook', 'Apply']);
    const unscopedWriters = FUNCTIONS.filter((n) =>
      withPrefix(statementsOf(template, n), 'dynamodb:').some(
        (s) => !leadingKeys(s) && actionsOf(s).some((a) => !/:(GetItem|Query)$/.test(a)),
      ),
    );
    expect(unscopedWriters).toEqual(['Apply', 'Drift']);
    const planWriters = FUNCTIONS.filter((n) =>
      withPrefix(statementsOf(template, n), 's3:').some(
        (s) => JSON.stringify(s.Resource).includes('/plans/*') && actionsOf(s).includes('s3:PutObject'),
      ),
    );
    expect(planWriters).toEqual(['Apply', 'Drift']);
  });

  it('uses the state key only through DynamoDB and S3, never directly', () => {
    for (const name of FUNCTIONS) {
      for (const s of withPrefix(statementsOf(template, name), 'kms:')) {
        expect(JSON.stringify(s.Condition)).toMatch(/kms:ViaService/);
      }
    }
  });
});

describe('audit trail: append-only (S3 Object Lock)', () => {
  const bucketId = idOf(template, 'AWS::S3::Bucket', 'AuditBucket');
  const bucket = resources(template, 'AWS::S3::Bucket')[bucketId] as Resource;

  it('locks every record for 365 days in governance mode by default, KMS-encrypted, private, retained', () => {
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } },
      },
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [idOf(template, 'AWS::KMS::Key', 'StateKey'), 'Arn'] },
            },
          },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
  });

  it('takes the retention and the mode from context', () => {
    const { template: custom } = synthTemplate({ auditRetentionDays: 2555, auditLockMode: 'compliance' });
    const props = Object.entries(resources(custom, 'AWS::S3::Bucket')).find(([id]) => id.startsWith('AuditBucket'))?.[1]
      ?.Properties;
    expect(props?.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2555 } },
    });
    expect(() => synthTemplate({ auditRetentionDays: 0 })).toThrow(/auditRetentionDays: "0"/);
    expect(() => synthTemplate({ auditLockMode: 'strict' as 'compliance' })).toThrow(
      /auditLockMode: "strict" is not "governance" \(default\) or "compliance"/,
    );
  });

  it('tells the audit writers (apply, drift, api) where to write, and nobody else', () => {
    const given = FUNCTIONS.filter((name) => {
      const fn = resources(template, 'AWS::Lambda::Function')[
        idOf(template, 'AWS::Lambda::Function', `${name}Function`)
      ];
      const variables = (fn as Resource).Properties.Environment as { Variables: Record<string, unknown> };
      return JSON.stringify(variables.Variables.AUDIT_BUCKET) === JSON.stringify({ Ref: bucketId });
    });
    expect(given).toEqual(['Apply', 'Drift', 'Api']);
  });

  it('lets writers create records under audit/ only, the api read and list audit/ only', () => {
    const onAudit = (name: string) =>
      withPrefix(statementsOf(template, name), 's3:')
        .filter((s) => JSON.stringify(s.Resource).includes(bucketId))
        .map((s) => ({ actions: actionsOf(s), resource: s.Resource, condition: s.Condition }));
    const objects = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/audit/*']] };
    for (const name of ['Apply', 'Drift']) {
      expect(onAudit(name)).toEqual([{ actions: ['s3:PutObject'], resource: objects, condition: undefined }]);
    }
    expect(onAudit('Api')).toEqual([
      { actions: ['s3:PutObject'], resource: objects, condition: undefined },
      { actions: ['s3:GetObject'], resource: objects, condition: undefined },
      {
        actions: ['s3:ListBucket'],
        resource: { 'Fn::GetAtt': [bucketId, 'Arn'] },
        condition: { StringLike: { 's3:prefix': ['audit/*'] } },
      },
    ]);
    for (const name of ['Webhook', 'Monitor']) expect(onAudit(name)).toEqual([]);
  });

  it('proves no role in the template may delete, unlock, bypass governance or reconfigure the bucket', () => {
    // Every Allow in every identity policy of the template (inline policies, role policies, managed policies).
    const allows: { where: string; statement: Statement }[] = [];
    for (const [id, p] of Object.entries(resources(template, 'AWS::IAM::Policy'))) {
      for (const s of (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
        allows.push({ where: id, statement: s });
    }
    for (const [id, r] of Object.entries(resources(template, 'AWS::IAM::Role'))) {
      for (const p of (r.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]) {
        for (const s of p.PolicyDocument.Statement) allows.push({ where: id, statement: s });
      }
    }
    for (const [id, p] of Object.entries(resources(template, 'AWS::IAM::ManagedPolicy'))) {
      for (const s of (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
        allows.push({ where: id, statement: s });
    }
    expect(allows.length).toBeGreaterThan(20);
    const couldReachBucket = (resource: unknown) => {
      const text = JSON.stringify(resource);
      return text === '"*"' || text.includes(bucketId) || /:s3:::\*/.test(text);
    };
    const offending = allows.filter(
      ({ statement }) =>
        statement.Effect === 'Allow' &&
        actionsOf(statement).some((a) => AUDIT_FORBIDDEN_ACTIONS.some((f) => like(a.toLowerCase(), f.toLowerCase()))) &&
        list(statement.Resource).some(couldReachBucket),
    );
    expect(offending).toEqual([]);
  });

  it('denies those actions to every Landscape role in the bucket policy, and any upload that could replace a record', () => {
    const policy = Object.values(resources(template, 'AWS::S3::BucketPolicy')).find(
      (p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: bucketId }),
    );
    if (!policy) throw new Error('the audit bucket has no policy');
    const statements = (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
    const deny = statements.find((s) => s.Effect === 'Deny' && actionsOf(s).includes('s3:BypassGovernanceRetention'));
    if (!deny) throw new Error('the audit bucket policy denies no removal');
    expect(actionsOf(deny).sort()).toEqual([...AUDIT_FORBIDDEN_ACTIONS].sort());
    const denied = list((deny.Principal as { AWS: unknown }).AWS).map(
      (p) => (p as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0],
    );
    const roles = [...FUNCTIONS.map((n) => roleOf(template, n)), idOf(template, 'AWS::IAM::Role', 'SecretsReader')];
    expect(denied?.sort()).toEqual(roles.sort());
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:PutObject',
        Principal: { AWS: '*' },
        Condition: { Null: { 's3:if-none-match': 'true' } },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });
});

describe('platform secrets per environment (SecretsReader)', () => {
  const readerId = idOf(template, 'AWS::IAM::Role', 'SecretsReader');
  const reader = resources(template, 'AWS::IAM::Role')[readerId] as Resource;
  const tagged = {
    StringLike: { 'aws:RequestTag/landscape-environment': '?*' },
    'ForAllValues:StringEquals': { 'aws:TagKeys': ['landscape-environment'] },
  };

  it('reads only <prefix><the session’s environment tag>/*', () => {
    expect(statementsOfRole(template, readerId)).toEqual([
      {
        Action: 'secretsmanager:GetSecretValue',
        Effect: 'Allow',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':secretsmanager:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              `:secret:landscape/${TAG_VARIABLE}/*`,
            ],
          ],
        },
      },
    ]);
    const { template: custom } = synthTemplate({ secretsPrefix: 'platform/' });
    const customReader = idOf(custom, 'AWS::IAM::Role', 'SecretsReader');
    expect(JSON.stringify(statementsOfRole(custom, customReader))).toContain(`:secret:platform/${TAG_VARIABLE}/*`);
  });

  it('is assumed, tagged with the environment, by apply, drift, api and monitor only', () => {
    const trust = (reader.Properties.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement;
    const principals = trust.flatMap((s) =>
      list((s.Principal as { AWS: unknown }).AWS).map((p) => (p as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]),
    );
    expect(principals.sort()).toEqual(['Apply', 'Drift', 'Api', 'Monitor'].map((n) => roleOf(template, n)).sort());
    for (const s of trust) {
      expect(actionsOf(s).sort()).toEqual(['sts:AssumeRole', 'sts:TagSession']);
      expect(s.Condition).toEqual(tagged);
    }
    for (const name of ['Apply', 'Drift', 'Api', 'Monitor']) {
      const sts = withPrefix(statementsOf(template, name), 'sts:').filter((s) =>
        JSON.stringify(s.Resource).includes(readerId),
      );
      expect(sts).toEqual([
        {
          Action: ['sts:AssumeRole', 'sts:TagSession'],
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [readerId, 'Arn'] },
          Condition: tagged,
        },
      ]);
    }
    expect(JSON.stringify(statementsOf(template, 'Webhook'))).not.toContain(readerId);
  });
});
