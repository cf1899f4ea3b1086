import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** The session tag that names the environment a function is working on (issue 14, contract 2). */
export const ENVIRONMENT_TAG = 'landscape-environment';

/**
 * Platform secrets per environment (ADR 0023): the `SecretsReader` role may read
 * `<secretsPrefix><environment>/*` where `<environment>` is the `landscape-environment` tag of the session, and
 * nothing else. The functions that resolve platform secrets (apply, drift, api, monitor) hold no secret read of
 * their own on the prefix: they assume this role with the tag of the environment they work on (sts:AssumeRole
 * + sts:TagSession, the tag required, no other tag allowed), so a staging config cannot name a production
 * secret and have it read.
 */
export class SecretsReader extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: { secretsPrefix: string; assumers: readonly iam.IRole[] }) {
    super(scope, id);
    const stack = Stack.of(this);
    const tagged = {
      // The tag must be given, non-empty, and be the only one: no other tag can widen the session.
      StringLike: { [`aws:RequestTag/${ENVIRONMENT_TAG}`]: '?*' },
      'ForAllValues:StringEquals': { 'aws:TagKeys': [ENVIRONMENT_TAG] },
    };
    const assumers = props.assumers.map((r) => new iam.ArnPrincipal(r.roleArn));
    this.role = new iam.Role(this, 'Role', {
      description: `Landscape: reads platform secrets under ${props.secretsPrefix}<environment>/ of the session tag`,
      // sts:AssumeRole and sts:TagSession, both only with the environment tag.
      assumedBy: new iam.SessionTagsPrincipal(new iam.CompositePrincipal(...assumers)).withConditions(tagged),
    });
    const secrets = stack.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${props.secretsPrefix}\${aws:PrincipalTag/${ENVIRONMENT_TAG}}/*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secrets] }),
    );
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${props.secretsPrefix}<aws:PrincipalTag/${ENVIRONMENT_TAG}>/*]`,
      reason:
        "Secret references in an environment's configuration (Kafka, registry and channel credentials) are " +
        'chosen in git after deployment; reads are limited to the names under the prefix of the one environment ' +
        'the session is tagged with, and only GetSecretValue.',
    });
    for (const assumer of props.assumers) {
      assumer.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['sts:AssumeRole', 'sts:TagSession'],
          resources: [this.role.roleArn],
          conditions: tagged,
        }),
      );
    }
  }
}
