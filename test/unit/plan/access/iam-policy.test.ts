import { describe, expect, it } from 'vitest';
import type { AclBinding } from '../../../../lib/model/kinds/acl.ts';
import { type AccessGrant, namePattern, renderIamPolicies } from '../../../../lib/plan/access/iam-policy.ts';
import { appAclBindings } from '../../../../lib/plan/kinds/app.ts';

const CLUSTER = 'arn:aws:kafka:eu-west-1:123456789012:cluster/main/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2';
const BASE = 'arn:aws:kafka:eu-west-1:123456789012';
const PATH = 'main/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2';
const SCOPE = { clusterArn: CLUSTER, environment: 'Environment "prod"' };

function grant(partial: Partial<AclBinding>, origin = 'Acl at access.yaml:1'): AccessGrant {
  return {
    binding: {
      principal: 'User:app',
      host: '*',
      resourceType: 'topic',
      resourceName: 'orders',
      patternType: 'literal',
      operation: 'read',
      permission: 'allow',
      ...partial,
    },
    origin,
  };
}

describe('renderIamPolicies', () => {
  it("renders an App's access as the MSK IAM actions AWS maps its ACL operations to, scoped to the cluster", () => {
    // Prepare
    const bindings = appAclBindings('enricher', {
      principal: 'User:enricher',
      consumes: ['payments.orders'],
      produces: ['payments.enriched'],
      transactionalId: 'enricher-tx',
      runtime: { type: 'sql', statement: 'SELECT 1', runnerImage: 'x', replicas: 1 },
    });
    // Act
    const { policies, warnings } = renderIamPolicies(
      bindings.map((binding) => ({ binding, origin: 'App "enricher"' })),
      SCOPE,
    );
    // Assess
    expect(warnings).toEqual([]);
    expect(policies).toEqual([
      {
        principal: 'User:enricher',
        origins: ['App "enricher"'],
        policy: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'AllowCluster',
              Effect: 'Allow',
              Action: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster', 'kafka-cluster:WriteDataIdempotently'],
              Resource: [CLUSTER],
            },
            {
              Sid: 'AllowTopics1',
              Effect: 'Allow',
              Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
              Resource: [`${BASE}:topic/${PATH}/payments.orders`],
            },
            {
              Sid: 'AllowTopics2',
              Effect: 'Allow',
              Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
              Resource: [`${BASE}:topic/${PATH}/payments.enriched`],
            },
            {
              Sid: 'AllowGroups',
              Effect: 'Allow',
              Action: ['kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup'],
              Resource: [`${BASE}:group/${PATH}/enricher`],
            },
            {
              Sid: 'AllowTransactionalIds',
              Effect: 'Allow',
              Action: ['kafka-cluster:AlterTransactionalId', 'kafka-cluster:DescribeTransactionalId'],
              Resource: [`${BASE}:transactional-id/${PATH}/enricher-tx`],
            },
          ],
        },
      },
    ]);
  });

  it('maps every Kafka operation the model knows to its documented action, denies only what is denied', () => {
    // Prepare
    const grants = [
      grant({ operation: 'create', resourceName: 'logs.', patternType: 'prefixed' }),
      grant({ operation: 'delete' }),
      grant({ operation: 'alter' }),
      grant({ operation: 'describeConfigs' }),
      grant({ operation: 'alterConfigs' }),
      grant({ resourceType: 'group', resourceName: 'g', operation: 'delete' }),
      grant({ resourceType: 'cluster', resourceName: 'kafka-cluster', operation: 'create' }),
      grant({ resourceType: 'cluster', resourceName: 'kafka-cluster', operation: 'alterConfigs' }),
      grant({ operation: 'write', permission: 'deny', resourceName: 'audit' }),
    ];
    // Act
    const [policy] = renderIamPolicies(grants, SCOPE).policies;
    // Assess
    expect(policy?.policy.Statement.map((s) => [s.Sid, s.Effect, s.Action.join(' '), s.Resource.join(' ')])).toEqual([
      [
        'AllowCluster',
        'Allow',
        'kafka-cluster:AlterClusterDynamicConfiguration kafka-cluster:Connect kafka-cluster:DescribeCluster kafka-cluster:DescribeClusterDynamicConfiguration',
        CLUSTER,
      ],
      [
        'AllowTopics1',
        'Allow',
        'kafka-cluster:AlterTopic kafka-cluster:AlterTopicDynamicConfiguration kafka-cluster:DeleteTopic kafka-cluster:DescribeTopic kafka-cluster:DescribeTopicDynamicConfiguration',
        `${BASE}:topic/${PATH}/orders`,
      ],
      ['AllowTopics2', 'Allow', 'kafka-cluster:CreateTopic', `${BASE}:topic/${PATH}/* ${BASE}:topic/${PATH}/logs.*`],
      ['AllowGroups', 'Allow', 'kafka-cluster:DeleteGroup kafka-cluster:DescribeGroup', `${BASE}:group/${PATH}/g`],
      // A DENY WRITE does not deny DESCRIBE (Kafka does not either).
      ['DenyTopics', 'Deny', 'kafka-cluster:WriteData', `${BASE}:topic/${PATH}/audit`],
    ]);
  });

  it('keeps "*", "?" and "$" of a literal name literal, and turns prefixes and the "*" name into patterns', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: "${*}" is IAM's own policy-variable syntax, expected verbatim
    expect(namePattern({ resourceName: 'team-*-x?$', patternType: 'literal' })).toBe('team-${*}-x${?}${$}');
    expect(namePattern({ resourceName: 'orders.', patternType: 'prefixed' })).toBe('orders.*');
    expect(namePattern({ resourceName: '*', patternType: 'literal' })).toBe('*');
  });

  it('never widens silently: host-restricted, internal and unknown grants are warnings', () => {
    // Prepare
    const grants = [
      grant({ host: '10.0.0.7' }),
      grant({ host: '10.0.0.8', permission: 'deny', operation: 'write' }),
      grant({ resourceType: 'cluster', resourceName: 'kafka-cluster', operation: 'clusterAction' }),
      grant({ resourceType: 'delegationToken', resourceName: 't', operation: 'describe' }),
      grant({ resourceType: 'group', resourceName: 'g', operation: 'write' }),
    ];
    // Act
    const { policies, warnings } = renderIamPolicies(grants, SCOPE);
    // Assess
    // In the order of the grants as people read them (sorted), whatever order git lists them in.
    expect(warnings).toEqual([
      'Acl at access.yaml:1: "User:app DENY write topic:orders from 10.0.0.8" denies from every host in the IAM policy: IAM policies can not restrict the client host',
      'Acl at access.yaml:1: "User:app clusterAction cluster:kafka-cluster" is left out: MSK IAM access control has no action for clusterAction on a cluster',
      'Acl at access.yaml:1: "User:app describe delegationToken:t" is left out: MSK IAM access control has no delegation-token actions',
      'Acl at access.yaml:1: "User:app read topic:orders from 10.0.0.7" is left out of the IAM policy: IAM policies can not restrict the client host (grant it from every host, host "*", to include it)',
      'Acl at access.yaml:1: "User:app write group:g" is left out: MSK IAM access control has no action for write on a group',
    ]);
    // Only the DENY is left: no Allow, so no Connect either.
    expect(policies[0]?.policy.Statement).toEqual([
      {
        Sid: 'DenyTopics',
        Effect: 'Deny',
        Action: ['kafka-cluster:WriteData'],
        Resource: [`${BASE}:topic/${PATH}/orders`],
      },
    ]);
  });

  it('without clusterArn names every cluster (in the region, when known) and says what to set', () => {
    // Act
    const { policies, warnings } = renderIamPolicies([grant({})], {
      region: 'eu-west-1',
      environment: 'Environment "prod"',
    });
    // Assess
    expect(policies[0]?.policy.Statement.flatMap((s) => s.Resource)).toEqual([
      'arn:aws:kafka:eu-west-1:*:cluster/*/*',
      'arn:aws:kafka:eu-west-1:*:topic/*/*/orders',
    ]);
    expect(warnings).toEqual([
      'spec.kafka.sasl.clusterArn is not set on Environment "prod": the IAM policies name every MSK cluster (cluster/*/* in eu-west-1); set it to the cluster\'s ARN (arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID) to scope them to that cluster',
    ]);
  });

  it('gives the same documents for the same grants in any order, one per principal sorted by principal', () => {
    // Prepare
    const grants = [
      grant({ principal: 'User:b', resourceName: 'y' }, 'App "b"'),
      grant({ principal: 'User:a', resourceName: 'x' }, 'App "a"'),
      grant({ principal: 'User:a', resourceName: 'w', operation: 'write' }, 'Acl at a.yaml:4'),
      grant({ principal: 'User:a', resourceName: 'v' }, 'App "a"'),
    ];
    // Act
    const forward = renderIamPolicies(grants, SCOPE);
    const backward = renderIamPolicies([...grants].reverse(), SCOPE);
    // Assess
    expect(JSON.stringify(backward)).toBe(JSON.stringify(forward));
    expect(forward.policies.map((p) => [p.principal, p.origins])).toEqual([
      ['User:a', ['Acl at a.yaml:4', 'App "a"']],
      ['User:b', ['App "b"']],
    ]);
    // Two read topics share one statement.
    expect(forward.policies[0]?.policy.Statement[1]?.Resource).toEqual([
      `${BASE}:topic/${PATH}/v`,
      `${BASE}:topic/${PATH}/x`,
    ]);
  });
});
