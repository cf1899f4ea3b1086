import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../lib/config/load-config.ts';
import { formatProblem } from '../../../../lib/errors.ts';
import { checkDataPolicies } from '../../../../lib/governance/checks/data-policy.ts';
import { configDir, ENVIRONMENT_YAML } from '../../../support/builders.ts';

const PII = `apiVersion: landscape.dev/v1
kind: DataPolicy
metadata: { name: payments-pii }
spec:
  topics: ["payments.*"]
  fields: [customer.email, "card.*", ssn]
  redaction: { type: hash }
`;

function sqlApp(name: string, consumes: string[], produces: string[], statement: string): string {
  const body = statement
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n');
  return `apiVersion: landscape.dev/v1
kind: App
metadata: { name: ${name} }
spec:
  principal: User:${name}
  consumes: [${consumes.join(', ')}]
  produces: [${produces.join(', ')}]
  runtime:
    type: sql
    statement: |
${body}
`;
}

async function check(files: Record<string, string>) {
  const dir = await configDir({ 'env.yaml': ENVIRONMENT_YAML, 'pii.yaml': PII, ...files });
  const result = checkDataPolicies(await loadConfig(dir, 'test'), []);
  return { ...result, lines: result.problems.map((p) => formatProblem(p).replace(`${dir}/`, '')) };
}

describe('checkDataPolicies', () => {
  it('refuses an SQL App that copies a protected field unmasked to an uncovered topic, at the statement line', async () => {
    // Prepare
    const app = sqlApp(
      'orders-export',
      ['payments.orders'],
      ['analytics.orders'],
      [
        'INSERT INTO `analytics.orders`',
        'SELECT o.id,',
        '  o.customer.email AS email,',
        '  SHA256(o.card.number) AS card_hash',
        'FROM `payments.orders` AS o',
      ].join('\n'),
    );

    // Act
    const { lines, problems } = await check({ 'app.yaml': app });

    // Assess
    expect(lines).toEqual([
      'app.yaml:13:1: App "orders-export" spec.runtime.statement: column "email" copies "customer.email" of topic "payments.orders" unmasked into topic "analytics.orders"; DataPolicy "payments-pii" protects it on "payments.orders" and does not cover "analytics.orders" (mask it in the query (e.g. SHA256(customer.email) or MASK(...)), drop the column, or add "analytics.orders" to the topics of DataPolicy "payments-pii")',
    ]);
    expect(problems[0]?.severity).toBe('error');
  });

  it('accepts masked fields, unprotected fields and outputs the same policy covers', async () => {
    // Prepare
    const masked = sqlApp(
      'masked',
      ['payments.orders'],
      ['analytics.orders'],
      'INSERT INTO `analytics.orders` SELECT id, SHA256(customer.email) AS email, MASK(card.number) AS card, COUNT(ssn) AS n FROM `payments.orders` GROUP BY id, customer.email, card.number',
    );
    const covered = sqlApp(
      'covered',
      ['payments.orders'],
      ['payments.enriched'],
      'INSERT INTO `payments.enriched` SELECT * FROM `payments.orders`',
    );
    const container = `apiVersion: landscape.dev/v1
kind: App
metadata: { name: opaque }
spec:
  principal: User:opaque
  consumes: [payments.orders]
  produces: [analytics.orders]
  runtime: { type: container, image: example/app:1 }
`;
    // Act
    const { problems, notes } = await check({ 'a.yaml': masked, 'b.yaml': covered, 'c.yaml': container });

    // Assess
    expect(problems).toEqual([]);
    expect(notes.map((n) => [n.level, n.message, n.source?.line])).toEqual([
      [
        'info',
        'App "opaque" reads "payments.orders" (DataPolicy "payments-pii") and writes "analytics.orders", which that policy does not cover; a container App\'s masking cannot be checked at plan time',
        7,
      ],
    ]);
  });

  it('catches SELECT *, whole structs, wildcards and copies through Flink DDL tables and views', async () => {
    // Prepare
    const app = sqlApp(
      'ddl',
      ['payments.orders'],
      ['analytics.cards', 'analytics.all', 'analytics.customers'],
      [
        "CREATE TABLE orders (id BIGINT, card ROW<number STRING, expiry STRING>) WITH ('connector' = 'kafka', 'topic' = 'payments.orders');",
        "CREATE TABLE cards WITH ('connector' = 'kafka', 'topic' = 'analytics.cards');",
        'CREATE TEMPORARY VIEW v AS SELECT id, card.expiry AS expiry, customer FROM orders;',
        'INSERT INTO cards SELECT id, expiry FROM v;',
        'INSERT INTO `analytics.all` SELECT * FROM orders;',
        'INSERT INTO `analytics.customers` SELECT customer FROM v;',
      ].join('\n'),
    );

    // Act
    const { problems } = await check({ 'app.yaml': app });

    // Assess
    expect(problems.map((p) => `${p.line}: ${p.message.split(';')[0]}`)).toEqual([
      '14: column "expiry" copies "card.expiry" of topic "payments.orders" unmasked into topic "analytics.cards" (protected: "card.*")',
      '15: SELECT * copies every field of topic "payments.orders" into topic "analytics.all", including "customer.email", "card.*", "ssn"',
      '16: column "customer" copies "customer" of topic "payments.orders" unmasked into topic "analytics.customers" (protected: "customer.email")',
    ]);
  });

  it('follows ksqlDB streams, joins and struct access', async () => {
    // Prepare
    const app = sqlApp(
      'ksql',
      ['payments.customers', 'clicks'],
      ['analytics.clicks'],
      [
        "CREATE STREAM customers WITH (KAFKA_TOPIC='payments.customers', VALUE_FORMAT='JSON');",
        "CREATE STREAM enriched WITH (KAFKA_TOPIC='analytics.clicks') AS",
        '  SELECT k.page, c.ssn AS customer_ssn',
        '  FROM clicks k JOIN customers c WITHIN 1 HOUR ON k.customer_id = c.id',
        '  EMIT CHANGES;',
      ].join('\n'),
    );

    // Act
    const { problems } = await check({ 'app.yaml': app });

    // Assess
    expect(problems.map((p) => `${p.line}: ${p.message.split(';')[0]}`)).toEqual([
      '13: column "customer_ssn" copies "ssn" of topic "payments.customers" unmasked into topic "analytics.clicks"',
    ]);
  });

  it('runs during validate and plan (registered in CONFIG_CHECKS)', async () => {
    // Prepare
    const { CONFIG_CHECKS } = await import('../../../../lib/governance/checks/index.ts');

    // Act, Assess
    expect(CONFIG_CHECKS).toContain(checkDataPolicies);
  });
});
