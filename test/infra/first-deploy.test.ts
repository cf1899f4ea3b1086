import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { GITHUB_CREDENTIALS_PLACEHOLDER, LandscapeStack } from '../../infra/stacks/landscape-stack.ts';
import { newApp, REPOSITORY, synthTemplate } from './stack-fixture.ts';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

const NO_REPOSITORIES =
  'allowedRepositories: name at least one repository (cdk deploy -c allowedRepositories=owner/name)';

function fn(template: Template, name: string): Resource {
  const functions = template.findResources('AWS::Lambda::Function') as Record<string, Resource>;
  const found = Object.entries(functions).find(([id]) => id.startsWith(`${name}Function`))?.[1];
  if (!found) throw new Error(`no function ${name}`);
  return found;
}
const envOf = (template: Template, name: string) =>
  (fn(template, name).Properties.Environment as { Variables: Record<string, unknown> }).Variables;
function statementsOf(template: Template, name: string): Statement[] {
  const roleRef = (fn(template, name).Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const policies = template.findResources('AWS::IAM::Policy') as Record<string, Resource>;
  return Object.values(policies)
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleRef))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

describe('the first deploy works, or says what is missing', () => {
  it('refuses to synthesize without allowedRepositories, saying how to give one', () => {
    // The webhook would otherwise deploy and then fail every cold start on the empty allowlist.
    expect(() => buildApp(newApp({ code: 'inline', nag: 'false' }))).toThrow(NO_REPOSITORIES);
    expect(() => buildApp(newApp({ code: 'inline', nag: 'false', allowedRepositories: ' , ' }))).toThrow(
      NO_REPOSITORIES,
    );
    expect(() => new LandscapeStack(newApp(), 'Landscape', { code: 'inline', allowedRepositories: [] })).toThrow(
      NO_REPOSITORIES,
    );
  });

  it('refuses a repository that is not owner/name or owner/*, naming it', () => {
    expect(() => buildApp(newApp({ code: 'inline', nag: 'false', allowedRepositories: 'acme' }))).toThrow(
      /allowedRepositories: "acme" is not "owner\/name" or "owner\/\*"/,
    );
  });

  it('hands the repositories to the webhook as given on the command line', () => {
    const template = Template.fromStack(
      buildApp(newApp({ code: 'inline', nag: 'false', allowedRepositories: 'acme/platform, acme-data/*' })),
    );
    expect(envOf(template, 'Webhook').ALLOWED_REPOSITORIES).toBe('acme/platform,acme-data/*');
  });

  it('creates the GitHub credentials secret holding the placeholder the functions recognise, not a random value', () => {
    const { template } = synthTemplate();
    expect(GITHUB_CREDENTIALS_PLACEHOLDER).toBe('landscape:unset');
    const secrets = template.findResources('AWS::SecretsManager::Secret') as Record<string, Resource>;
    const credentials = Object.entries(secrets).find(([id]) => id.startsWith('GitHubTokenSecret'))?.[1];
    expect(credentials?.Properties.SecretString).toBe('landscape:unset');
    expect(credentials?.Properties.GenerateSecretString).toBeUndefined();
    template.hasOutput('GitHubCredentialsSecretArn', {
      Value: { Ref: Object.keys(secrets).find((id) => id.startsWith('GitHubTokenSecret')) },
    });
  });

  it('gives the GitHub credentials to apply and drift only: not the webhook, the api or the monitor', () => {
    for (const template of [
      synthTemplate().template,
      synthTemplate({ githubApp: { appId: '1', installationId: '2' } }).template,
    ]) {
      const secretId = Object.keys(template.findResources('AWS::SecretsManager::Secret')).find((id) =>
        id.startsWith('GitHubTokenSecret'),
      );
      const readers = ['Webhook', 'Apply', 'Drift', 'Api', 'Monitor'].filter((name) =>
        statementsOf(template, name).some((s) => JSON.stringify(s.Resource).includes(`"Ref":"${secretId}"`)),
      );
      expect(readers).toEqual(['Apply', 'Drift']);
      for (const name of ['Webhook', 'Api', 'Monitor']) {
        expect(Object.keys(envOf(template, name)).filter((k) => /^GITHUB_(TOKEN|APP)/.test(k))).toEqual([]);
      }
    }
  });

  it('reserves no apply concurrency unless asked: the environment lease serialises applies', () => {
    expect(fn(synthTemplate().template, 'Apply').Properties.ReservedConcurrentExecutions).toBeUndefined();
    const asked = Template.fromStack(
      buildApp(
        newApp({ code: 'inline', nag: 'false', allowedRepositories: REPOSITORY, applyReservedConcurrency: '1' }),
      ),
    );
    expect(fn(asked, 'Apply').Properties.ReservedConcurrentExecutions).toBe(1);
    expect(
      fn(synthTemplate({ applyReservedConcurrency: 2 }).template, 'Apply').Properties.ReservedConcurrentExecutions,
    ).toBe(2);
    for (const bad of ['0', 'one', '1.5']) {
      expect(() =>
        buildApp(
          newApp({ code: 'inline', nag: 'false', allowedRepositories: REPOSITORY, applyReservedConcurrency: bad }),
        ),
      ).toThrow(`applyReservedConcurrency: "${bad}" is not a whole number of at least 1`);
    }
  });
});
