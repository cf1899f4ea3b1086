import { Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * The one public entry point, an HTTP API (API Gateway v2):
 * - `POST /webhooks/github`: no authorizer; the function checks the HMAC over the raw body before parsing;
 * - `ANY /api/{proxy+}`: IAM authorizer (SigV4-signed calls by operators and CI roles).
 * Access logs go to a log group; the stage is throttled so a flood cannot exhaust the account's concurrency.
 */
export class LandscapeHttpApi extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly webhookRoute: apigwv2.HttpRoute;

  constructor(scope: Construct, id: string, props: { webhook: lambda.IFunction; api: lambda.IFunction }) {
    super(scope, id);
    this.api = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'Landscape: GitHub webhooks and the operator API',
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.THREE_MONTHS });
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 20, burstLimit: 50 },
      accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(accessLogs) },
    });
    [this.webhookRoute] = this.api.addRoutes({
      path: '/webhooks/github',
      methods: [apigwv2.HttpMethod.POST],
      integration: new HttpLambdaIntegration('Webhook', props.webhook),
    }) as [apigwv2.HttpRoute];
    this.api.addRoutes({
      path: '/api/{proxy+}',
      methods: [apigwv2.HttpMethod.ANY],
      integration: new HttpLambdaIntegration('Api', props.api),
      authorizer: new HttpIamAuthorizer(),
    });
    Validations.of(this.webhookRoute).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'GitHub cannot sign requests with SigV4 or send a token: the webhook route is open by design and the ' +
        'function rejects any delivery whose X-Hub-Signature-256 HMAC over the raw body does not verify.',
    });
  }
}
