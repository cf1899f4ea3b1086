import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * How function code is produced:
 * - `bundle`: NodejsFunction with local esbuild (no Docker), ESM, minified, source maps;
 * - `inline`: a tiny inline stand-in, for fast template tests (no esbuild run, same resource shape).
 */
export type CodeMode = 'bundle' | 'inline';

/** The runtime every function uses; esbuild targets the same Node major. */
export const RUNTIME = lambda.Runtime.NODEJS_24_X;
const ESBUILD_TARGET = 'node24';

/**
 * ESM bundles still contain CommonJS dependencies that call `require`; this gives them one
 * (esbuild's `__require` shim looks for a global `require`).
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __landscapeCreateRequire } from 'node:module'; " +
  'const require = __landscapeCreateRequire(import.meta.url);';

export interface LandscapeFunctionProps {
  /** Absolute path of the handler entry (`functions/<name>/handler.ts`, `export const handler`). */
  entry: string;
  /** Repository root: where package-lock.json and tsconfig.json are. */
  projectRoot: string;
  code: CodeMode;
  description: string;
  memorySize?: number;
  timeout: Duration;
  environment: Record<string, string>;
  deadLetterQueue: sqs.IQueue;
  alarmTopic: sns.ITopic;
  /** Physical name, when something (the function itself) must know it before deployment. */
  functionName?: string;
  vpc?: { vpc: ec2.IVpc; subnets: ec2.SubnetSelection; securityGroup: ec2.ISecurityGroup };
  reservedConcurrentExecutions?: number;
  /** Retries of asynchronous invocations after a function error (Lambda's default is 2). */
  retryAttempts?: number;
  logRetention?: logs.RetentionDays;
}

/**
 * A Landscape Lambda with the project's fixed defaults (STYLE.md section 9): Node 24 on ARM64, X-Ray active
 * tracing, its own log group with retention, a DLQ for failed asynchronous invocations, source maps enabled,
 * and an alarm on any error. Handlers are referred to by path only: infra never imports runtime code.
 *
 * The execution role is its own, not the AWS managed execution policies: logs only to this function's log
 * group, ENI management only when in a VPC. Grants to data are added by the stack, scoped per resource.
 */
export class LandscapeFunction extends Construct {
  readonly fn: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly errorsAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: LandscapeFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Landscape ${id} function`,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    if (props.vpc) {
      // What AWSLambdaVPCAccessExecutionRole grants; EC2 does not support resource scoping for Describe*.
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      );
    }
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) and, for in-VPC functions, the Lambda ENI ' +
        'actions accept no resource-level scoping: AWS documents Resource "*" for both.',
    });
    const common = {
      role: this.role,
      runtime: RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      description: props.description,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      deadLetterQueue: props.deadLetterQueue,
      retryAttempts: props.retryAttempts ?? 2,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      ...(props.functionName ? { functionName: props.functionName } : {}),
      ...(props.reservedConcurrentExecutions !== undefined
        ? { reservedConcurrentExecutions: props.reservedConcurrentExecutions }
        : {}),
      ...(props.vpc
        ? { vpc: props.vpc.vpc, vpcSubnets: props.vpc.subnets, securityGroups: [props.vpc.securityGroup] }
        : {}),
    } satisfies Partial<lambda.FunctionProps>;

    let mode = props.code;
    if (mode === 'bundle' && !existsSync(props.entry)) {
      // Lets the stack synthesize before every handler exists; never deploy with this warning.
      Annotations.of(this).addWarningV2(
        'landscape:missing-handler',
        `handler entry "${props.entry}" does not exist yet: using an inline stand-in that answers 503`,
      );
      mode = 'inline';
    }
    this.fn =
      mode === 'bundle'
        ? new nodejs.NodejsFunction(this, 'Function', {
            ...common,
            entry: props.entry,
            handler: 'handler',
            projectRoot: props.projectRoot,
            depsLockFilePath: join(props.projectRoot, 'package-lock.json'),
            bundling: {
              format: nodejs.OutputFormat.ESM,
              target: ESBUILD_TARGET,
              mainFields: ['module', 'main'],
              minify: true,
              sourceMap: true,
              sourcesContent: false,
              banner: ESM_REQUIRE_BANNER,
              // Bundle the AWS SDK: pinned by our lockfile instead of whatever the runtime ships.
              bundleAwsSDK: true,
              externalModules: [],
              esbuildArgs: { '--alias:@platformatic/wasm-utils': '@platformatic/wasm-utils/bundled' },
              forceDockerBundling: false,
              logLevel: nodejs.LogLevel.WARNING,
            },
          })
        : new lambda.Function(this, 'Function', {
            ...common,
            handler: 'index.handler',
            code: lambda.Code.fromInline(
              "exports.handler = async () => ({ statusCode: 503, body: 'landscape: code not bundled' });",
            ),
          });

    this.errorsAlarm = new cloudwatch.Alarm(this, 'ErrorsAlarm', {
      alarmDescription: `${id}: the function reported errors`,
      metric: this.fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.errorsAlarm.addAlarmAction(new cloudwatchActions.SnsAction(props.alarmTopic));
  }
}
