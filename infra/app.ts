import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { AuditLockMode } from './constructs/audit-trail.ts';
import { LandscapeStack, type LandscapeStackProps, reservedConcurrencyError } from './stacks/landscape-stack.ts';

/**
 * `npx cdk synth` entry (cdk.json: `node infra/app.ts`, Node 24 type stripping). Env-agnostic, no lookups:
 * synth works offline. Context: allowedRepositories (required, comma list); optional: vpcId + privateSubnetIds
 * + availabilityZones (+ privateRouteTableIds) (comma lists), vpcEndpoints, secretsPrefix, allowedBranches, driftEnvironments, auditBuckets,
 * githubAppId + githubAppInstallationId, applyReservedConcurrency, auditRetentionDays, auditLockMode,
 * driftSchedule, monitorSchedule,
 * alarmEmail, code (`bundle` | `inline`), nag (`false` to skip cdk-nag).
 * Reaching the platform (ADR 0022, comma lists): mskClusterArns (+ mskAuditTopics, the Kafka AuditSink topics on
 * them), eksClusters (+ eksAccessNamespaces to create access entries, eksApplyAccessPolicy `edit` | `admin`),
 * assumableRoleArns, platformPeers, platformPorts, httpsPeers.
 */
export function buildApp(app: App): LandscapeStack {
  const ctx = (name: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(name);
    return value === undefined || value === null || value === '' ? undefined : String(value);
  };
  const list = (name: string) =>
    (ctx(name) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const props: LandscapeStackProps = {
    description: 'Landscape: GitOps reconciler for streaming platforms',
    code: ctx('code') === 'inline' ? 'inline' : 'bundle',
    allowedRepositories: list('allowedRepositories'),
    allowedBranches: list('allowedBranches'),
    driftEnvironments: list('driftEnvironments'),
    auditBuckets: list('auditBuckets'),
  };
  const reserved = ctx('applyReservedConcurrency');
  if (reserved !== undefined) {
    if (!/^\d+$/.test(reserved)) throw new Error(reservedConcurrencyError(reserved));
    props.applyReservedConcurrency = Number(reserved);
  }
  const endpoints = ctx('vpcEndpoints');
  if (endpoints !== undefined && endpoints !== 'true' && endpoints !== 'false') {
    throw new Error(`vpcEndpoints: "${endpoints}" is not true or false, e.g. -c vpcEndpoints=true`);
  }
  if (endpoints === 'true') props.vpcEndpoints = true;
  const retentionDays = ctx('auditRetentionDays');
  if (retentionDays !== undefined) {
    if (!/^\d+$/.test(retentionDays)) {
      throw new Error(
        `auditRetentionDays: "${retentionDays}" is not a whole number of days, e.g. -c auditRetentionDays=365`,
      );
    }
    props.auditRetentionDays = Number(retentionDays);
  }
  const lockMode = ctx('auditLockMode');
  if (lockMode !== undefined) props.auditLockMode = lockMode as AuditLockMode;
  const githubAppId = ctx('githubAppId');
  const githubAppInstallationId = ctx('githubAppInstallationId');
  if (githubAppId || githubAppInstallationId) {
    if (!githubAppId || !githubAppInstallationId) {
      throw new Error('GitHub App authentication needs both context values githubAppId and githubAppInstallationId');
    }
    props.githubApp = { appId: githubAppId, installationId: githubAppInstallationId };
  }
  const vpcId = ctx('vpcId');
  if (vpcId) {
    props.vpc = {
      vpcId,
      privateSubnetIds: list('privateSubnetIds'),
      availabilityZones: list('availabilityZones'),
      routeTableIds: list('privateRouteTableIds'),
    };
  }
  const auditTopics = list('mskAuditTopics');
  const msk = list('mskClusterArns').map((clusterArn) => ({
    clusterArn,
    ...(auditTopics.length > 0 ? { auditTopics } : {}),
  }));
  if (msk.length > 0) props.msk = msk;
  const namespaces = list('eksAccessNamespaces');
  const policyValue = ctx('eksApplyAccessPolicy');
  if (policyValue !== undefined && policyValue !== 'edit' && policyValue !== 'admin') {
    throw new Error(`eksApplyAccessPolicy "${policyValue}": expected "edit" (default) or "admin"`);
  }
  const applyPolicy: 'edit' | 'admin' | undefined = policyValue;
  const eks = list('eksClusters').map((clusterName) => ({
    clusterName,
    ...(namespaces.length > 0 ? { accessEntry: { namespaces, ...(applyPolicy ? { applyPolicy } : {}) } } : {}),
  }));
  if (eks.length > 0) props.eks = eks;
  const assumableRoleArns = list('assumableRoleArns');
  if (assumableRoleArns.length > 0) props.assumableRoleArns = assumableRoleArns;
  props.egress = {
    platformPeers: list('platformPeers'),
    platformPorts: list('platformPorts'),
    httpsPeers: list('httpsPeers'),
  };
  for (const key of ['secretsPrefix', 'driftSchedule', 'monitorSchedule', 'alarmEmail'] as const) {
    const value = ctx(key);
    if (value !== undefined) props[key] = value;
  }
  const stack = new LandscapeStack(app, ctx('stackName') ?? 'Landscape', props);
  if (ctx('nag') !== 'false') Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return stack;
}

if (import.meta.main) {
  const app = new App();
  buildApp(app);
  app.synth();
}
