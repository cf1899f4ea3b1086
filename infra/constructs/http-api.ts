import { Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Requests per second (steady) and burst per route key: the webhook and the operator API apart. */
export const ROUTE_THROTTLES: Record<string, { rateLimit: number; burstLimit: number }> = {
  // GitHub sends a handful of deliveries per push; redeliveries and busy monorepos stay far below this.
  'POST /webhooks/github': { rateLimit: 10, burstLimit: 25 },
  'ANY /api/{proxy+}': { rateLimit: 10, burstLimit: 25 },
};

/** One JSON object per request (CloudWatch Logs Insights reads the fields without a parse pattern). */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  time: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  caller: '$context.identity.caller',
  user: '$context.identity.user',
  userAgent: '$context.identity.userAgent',
  method: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
  error: '$context.error.message',
};

/**
 * The one public entry point, an HTTP API (API Gateway v2):
 * - `POST /webhooks/github`: no authorizer; the function checks the HMAC over the raw body before parsing;
 * - `ANY /api/{proxy+}`: IAM authorizer (SigV4-signed calls by operators and CI roles).
 * Access logs are JSON lines in a log group with retention. Each route has its own throttle (stage route settings):
 * a flood of forged deliveries at the public webhook route spends the webhook's budget, not the operators'.
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
      // Routes not listed in ROUTE_THROTTLES (none today) share this.
      throttle: { rateLimit: 20, burstLimit: 50 },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: apigw.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    const cfnStage = this.stage.node.defaultChild as apigwv2.CfnStage;
    cfnStage.routeSettings = Object.fromEntries(
      Object.entries(ROUTE_THROTTLES).map(([route, t]) => [
        route,
        // A JSON map in CloudFormation: written with CloudFormation's own (Pascal case) property names.
        { ThrottlingRateLimit: t.rateLimit, ThrottlingBurstLimit: t.burstLimit },
      ]),
    );
    [this.webhookRoute] = this.api.addRoutes({
      path: '/webhooks/github',
      methods: [apigwv2.HttpMethod.POST],
      integration: new HttpLambdaIntegration('Webhook', props.webhook),
    }) as [apigwv2.HttpRoute];
    const [apiRoute] = this.api.addRoutes({
      path: '/api/{proxy+}',
      methods: [apigwv2.HttpMethod.ANY],
      integration: new HttpLambdaIntegration('Api', props.api),
      authorizer: new HttpIamAuthorizer(),
    });
    // Route settings name routes by key: the stage must be created after them, or the deploy fails on a key
    // it cannot find.
    for (const route of [this.webhookRoute, apiRoute]) {
      if (route) cfnStage.addResourceDependency(route.node.defaultChild as apigwv2.CfnRoute);
    }
    Validations.of(this.webhookRoute).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'GitHub cannot sign requests with SigV4 or send a token: the webhook route is open by design and the ' +
        'function rejects any delivery whose X-Hub-Signature-256 HMAC over the raw body does not verify.',
    });
  }
}
