import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../lib/config/load-config.ts';
import { renderAndCheck } from '../../../../lib/engine/plan-environment.ts';
import { formatProblem } from '../../../../lib/errors.ts';
import { checkPolicies } from '../../../../lib/governance/checks/policy.ts';
import { configDir, ENVIRONMENT_YAML, topicYaml } from '../../../support/builders.ts';

const POLICY = `apiVersion: landscape.dev/v1
kind: Policy
metadata: { name: topic-standards }
spec:
  severity: deny
  rules:
    namePattern: "^[a-z]+\\\\.[a-z0-9.-]+$"
    maxPartitions: 12
    minReplicationFactor: 2
    maxRetentionMs: 604800000
    requiredLabels: [team]
    forbiddenConfigs: [unclean.leader.election.enable, "follower.*"]
`;

async function check(files: Record<string, string>, env = 'test') {
  const dir = await configDir({ 'env.yaml': ENVIRONMENT_YAML, ...files });
  const config = await loadConfig(dir, env);
  const result = checkPolicies(config, []);
  return { ...result, lines: result.problems.map((p) => formatProblem(p).replace(`${dir}/`, '')) };
}

describe('checkPolicies', () => {
  it('reports every rule a topic breaks at the field that breaks it, naming the Policy', async () => {
    // Prepare
    const topic = `apiVersion: landscape.dev/v1
kind: Topic
metadata: { name: Orders }
spec:
  partitions: 24
  replicationFactor: 1
  config:
    retention.ms: -1
    unclean.leader.election.enable: true
`;
    // Act
    const { lines, problems } = await check({ 'policy.yaml': POLICY, 'topics.yaml': topic });

    // Assess
    expect(lines).toEqual([
      'topics.yaml:3:19: Topic "Orders" metadata.name: violates Policy "topic-standards": name "Orders" does not match namePattern "^[a-z]+\\\\.[a-z0-9.-]+$" (rename it to match the pattern)',
      'topics.yaml:3:11: Topic "Orders" metadata.labels: violates Policy "topic-standards": missing required label "team" (add team: <value> under metadata.labels)',
      'topics.yaml:5:15: Topic "Orders" spec.partitions: violates Policy "topic-standards": 24 is above maxPartitions 12 (use at most 12)',
      'topics.yaml:6:22: Topic "Orders" spec.replicationFactor: violates Policy "topic-standards": 1 is below minReplicationFactor 2 (use at least 2)',
      'topics.yaml:8:19: Topic "Orders" spec.config.retention.ms: violates Policy "topic-standards": retention infinite (-1) is above maxRetentionMs 604800000 (7d) (use at most 604800000)',
      'topics.yaml:9:37: Topic "Orders" spec.config.unclean.leader.election.enable: violates Policy "topic-standards": config "unclean.leader.election.enable" is forbidden (remove "unclean.leader.election.enable")',
    ]);
    expect(problems.every((p) => p.severity === 'error')).toBe(true);
  });

  it('passes a compliant topic and turns a warn policy into warnings that do not block the plan', async () => {
    // Prepare
    const warn = POLICY.replace('severity: deny', 'severity: warn');
    const good = `apiVersion: landscape.dev/v1
kind: Topic
metadata: { name: payments.orders, labels: { team: payments } }
spec: { partitions: 6, replicationFactor: 3, config: { retention.ms: 86400000 } }
`;
    const bad = topicYaml('payments.big', '{ partitions: 64, replicationFactor: 3 }').replace(
      'name: payments.big',
      'name: payments.big, labels: { team: payments }',
    );

    // Act
    const dir = await configDir({ 'env.yaml': ENVIRONMENT_YAML, 'policy.yaml': warn, 'a.yaml': good, 'b.yaml': bad });
    const config = await loadConfig(dir, 'test');
    const { problems } = checkPolicies(config, []);
    const rendered = renderAndCheck(config);

    // Assess
    expect(problems.map((p) => [p.resource, p.field, p.severity])).toEqual([
      ['Topic "payments.big"', 'spec.partitions', 'warning'],
    ]);
    expect(rendered.problems.filter((p) => p.severity !== 'warning')).toEqual([]);
  });

  it('checks the values an environment overlay sets, at the overlay line', async () => {
    // Prepare
    const topic = `${topicYaml('payments.orders', '{ partitions: 3, replicationFactor: 3 }').replace(
      'name: payments.orders',
      'name: payments.orders, labels: { team: payments }',
    )}overlays:\n  prod:\n    spec: { partitions: 48 }\n`;
    const env = `${ENVIRONMENT_YAML}---\n${ENVIRONMENT_YAML.replace('name: test', 'name: prod')}`;
    const dir = await configDir({ 'env.yaml': env, 'policy.yaml': POLICY, 'topics.yaml': topic });

    // Act
    const test = checkPolicies(await loadConfig(dir, 'test'), []);
    const prod = checkPolicies(await loadConfig(dir, 'prod'), []);

    // Assess
    expect(test.problems).toEqual([]);
    expect(prod.problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      '7: violates Policy "topic-standards": 48 is above maxPartitions 12',
    ]);
  });

  it('limits rules to the listed kinds, and checks labels and names of other kinds by default', async () => {
    // Prepare
    const onlyLabels = `apiVersion: landscape.dev/v1
kind: Policy
metadata: { name: owners }
spec:
  rules: { requiredLabels: [owner], namePattern: "^[a-z-]+$" }
`;
    const user = `apiVersion: landscape.dev/v1
kind: User
metadata: { name: Payments_App }
spec:
  password: { secretRef: { provider: env, name: PW } }
`;
    const channel = `apiVersion: landscape.dev/v1
kind: Channel
metadata: { name: oncall }
spec: { type: webhook, url: "http://127.0.0.1:1/x" }
`;

    // Act
    const { problems } = await check({ 'p.yaml': onlyLabels, 'u.yaml': user, 'c.yaml': channel });
    const scoped = await check({
      'p.yaml': onlyLabels.replace('rules:', 'kinds: [Topic]\n  rules:'),
      'u.yaml': user,
    });

    // Assess
    expect(problems.map((p) => `${p.resource} ${p.field}`)).toEqual([
      'User "Payments_App" metadata.name',
      'User "Payments_App" metadata.labels',
    ]);
    expect(scoped.problems).toEqual([]);
  });

  it('reports a bad regular expression and an unknown kind in the Policy itself', async () => {
    // Prepare
    const broken = `apiVersion: landscape.dev/v1
kind: Policy
metadata: { name: broken }
spec:
  kinds: [Topics]
  rules: { namePattern: "([a-z" }
`;
    // Act
    const { lines } = await check({ 'p.yaml': broken });

    // Assess
    expect(lines[0]).toMatch(
      /^p\.yaml:6:25: Policy "broken" spec\.rules\.namePattern: not a valid regular expression: /,
    );
    expect(lines[1]).toBe(
      'p.yaml:5:11: Policy "broken" spec.kinds[0]: unknown kind "Topics": the policy checks nothing of it (did you mean "Topic"?)',
    );
  });

  it('forbids connector configs by glob', async () => {
    // Prepare
    const policy = `apiVersion: landscape.dev/v1
kind: Policy
metadata: { name: connectors }
spec:
  rules: { forbiddenConfigs: ["*.password"] }
`;
    const connector = `apiVersion: landscape.dev/v1
kind: Connector
metadata: { name: pg-source }
spec:
  class: io.example.PgSource
  config:
    connection.url: jdbc:postgresql://db/app
    connection.password: hunter2
`;
    // Act
    const { lines } = await check({ 'p.yaml': policy, 'c.yaml': connector });

    // Assess
    expect(lines).toEqual([
      'c.yaml:8:26: Connector "pg-source" spec.config.connection.password: violates Policy "connectors": config "connection.password" is forbidden (forbiddenConfigs "*.password") (remove "connection.password")',
    ]);
  });
});

describe('checkPolicies with topic defaults', () => {
  it("refuses the broker's default replication factor where a Policy limits it, and checks what TopicDefaults give", async () => {
    // Prepare: one topic asks for the broker default itself, the other gets partitions from TopicDefaults.
    const defaults = `apiVersion: landscape.dev/v1
kind: TopicDefaults
metadata: { name: big }
spec:
  match: { namePattern: "^payments\\\\." }
  partitions: 48
`;
    const topics = `apiVersion: landscape.dev/v1
kind: Topic
metadata: { name: payments.orders, labels: { team: payments } }
spec: { replicationFactor: default }
`;

    // Act
    const { lines } = await check({ 'policy.yaml': POLICY, 'defaults.yaml': defaults, 'topics.yaml': topics });

    // Assess
    expect(lines).toEqual([
      'topics.yaml:4:7: Topic "payments.orders" spec.partitions: violates Policy "topic-standards": 48 is above maxPartitions 12 (use at most 12)',
      `topics.yaml:4:28: Topic "payments.orders" spec.replicationFactor: violates Policy "topic-standards": the broker's default replication factor can not be checked against minReplicationFactor 2 (set a replication factor of at least 2)`,
    ]);
  });
});
