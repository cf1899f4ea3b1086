import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type KafkaTopicSampler, openTopicSampler } from '../../../lib/adapters/kafka/monitoring.ts';
import { FileStateStore } from '../../../lib/adapters/store/file-state-store.ts';
import { peekCommand } from '../../../lib/cli/peek-command.ts';
import { loadConfig } from '../../../lib/config/load-config.ts';
import { publishMonitorConfig } from '../../../lib/config/published-config.ts';
import { MASK } from '../../../lib/governance/masking.ts';
import { sampleTopic } from '../../../lib/governance/sample.ts';
import { DataPolicySpecSchema } from '../../../lib/model/data-policy.ts';
import { keys } from '../../../lib/model/keys.ts';
import { startServer } from '../../../lib/serve/server.ts';
import {
  cleanupPrefix,
  kafkaTestEnv,
  testKafkaConnection,
  testProducer,
} from '../../../scripts/services/kafka-broker.ts';
import { configDir } from '../../support/builders.ts';
import { createTopicsAndWait, envSecretResolver, testEnvironmentYaml, uniquePrefix } from '../../support/kafka.ts';
import { deleteSubjects, REGISTRY_URL, registryRequest } from '../../support/schema-registry.ts';

const prefix = uniquePrefix('it-gov-sample');
const jsonTopic = `${prefix}customers`;
const avroTopic = `${prefix}payments`;

const policies = [
  { name: 'pii', spec: DataPolicySpecSchema.parse({ topics: [`${prefix}*`], fields: ['customer.email', 'ssn'] }) },
  {
    name: 'cards',
    spec: DataPolicySpecSchema.parse({
      topics: [`${prefix}*`],
      fields: ['card.*'],
      redaction: { type: 'last-n', n: 4 },
    }),
  },
];

let sampler: KafkaTopicSampler;
let registryUp = false;

async function produce(topic: string, values: (string | Buffer)[]): Promise<void> {
  // Idempotent: the samples below count records, and a retried batch must not appear twice.
  const producer = testProducer(`${prefix}p`);
  try {
    await producer.send({
      messages: values.map((value, i) => ({
        topic,
        key: Buffer.from(`k${i}`),
        value: Buffer.isBuffer(value) ? value : Buffer.from(value),
        partition: i % 2,
      })),
    });
  } finally {
    await producer.close();
  }
}

beforeAll(async () => {
  await createTopicsAndWait([jsonTopic, avroTopic], 2);
  registryUp = await fetch(`${REGISTRY_URL}/subjects`, { signal: AbortSignal.timeout(2000) }).then(
    (r) => r.ok,
    () => false,
  );
  sampler = await openTopicSampler(
    { kafka: testKafkaConnection(), ...(registryUp ? { schemaRegistry: { url: REGISTRY_URL } } : {}) },
    envSecretResolver(),
  );
});

afterAll(async () => {
  await sampler?.close();
  await cleanupPrefix(prefix);
  if (registryUp) await deleteSubjects(prefix);
});

describe('sampleTopic against a real broker', () => {
  it('returns the newest JSON records with protected fields masked', async () => {
    // Prepare
    const values = Array.from({ length: 8 }, (_, i) =>
      JSON.stringify({
        id: i,
        customer: { email: `user${i}@example.com`, name: `User ${i}` },
        card: { number: `41111111111111${10 + i}` },
        ssn: `123-45-678${i}`,
      }),
    );
    await produce(jsonTopic, [...values, 'not json at all']);

    // Act
    const sample = await sampleTopic({ topic: jsonTopic, count: 5, policies }, sampler);

    // Assess
    expect(sample.policies).toEqual(['pii', 'cards']);
    expect(sample.records).toHaveLength(5);
    const json = sample.records.filter((r) => r.valueFormat === 'json');
    expect(json.length).toBeGreaterThanOrEqual(4);
    for (const r of json) {
      const v = r.value as {
        id: number;
        customer: { email: string; name: string };
        card: { number: string };
        ssn: string;
      };
      expect(v.customer.email).toBe(MASK);
      expect(v.customer.name).toBe(`User ${v.id}`);
      expect(v.card.number).toMatch(/^\*{12}\d{4}$/);
      expect(v.ssn).toBe(MASK);
    }
    expect(sample.records.find((r) => r.valueFormat === 'text')?.value).toBe(MASK);
    const text = JSON.stringify(sample);
    for (let i = 0; i < 8; i++) expect(text).not.toContain(`user${i}@example.com`);
    const times = sample.records.map((r) => Date.parse(r.timestamp));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('decodes Avro through the registry wire format and masks it', async (ctx) => {
    if (!registryUp) {
      ctx.skip(`schema registry not reachable at ${REGISTRY_URL} (start it with scripts/services/schema-registry.sh)`);
      return;
    }
    // Prepare
    const schema = {
      type: 'record',
      name: 'Payment',
      namespace: 'it.landscape',
      fields: [
        { name: 'id', type: 'long' },
        { name: 'ssn', type: 'string' },
        { name: 'card', type: { type: 'record', name: 'Card', fields: [{ name: 'number', type: 'string' }] } },
        { name: 'note', type: ['null', 'string'], default: null },
      ],
    };
    const { id } = await registryRequest<{ id: number }>('POST', `/subjects/${avroTopic}-value/versions`, {
      schema: JSON.stringify(schema),
    });
    const type = avro.Type.forSchema(schema as avro.Schema);
    const encode = (value: unknown) => {
      const header = Buffer.alloc(5);
      header.writeUInt32BE(id, 1);
      return Buffer.concat([header, type.toBuffer(value)]);
    };
    await produce(avroTopic, [
      encode({ id: 1, ssn: '111-22-3333', card: { number: '5555444433331111' }, note: 'first' }),
      encode({ id: 2, ssn: '222-33-4444', card: { number: '5555444433332222' }, note: null }),
    ]);

    // Act
    const sample = await sampleTopic({ topic: avroTopic, count: 10, policies }, sampler);

    // Assess
    expect(sample.problems).toEqual([]);
    expect(sample.records.map((r) => [r.valueFormat, r.schemaId])).toEqual([
      ['avro', id],
      ['avro', id],
    ]);
    expect(
      sample.records.map((r) => r.value).sort((a, b) => (a as { id: number }).id - (b as { id: number }).id),
    ).toEqual([
      { id: 1, ssn: MASK, card: { number: '************1111' }, note: 'first' },
      { id: 2, ssn: MASK, card: { number: '************2222' }, note: null },
    ]);
  });

  it('`landscape peek` prints masked records and fails clearly on an unknown topic', async () => {
    // Prepare
    process.env.KAFKA_PASSWORD ??= kafkaTestEnv.password;
    const dir = await configDir({
      'env.yaml': testEnvironmentYaml('it'),
      'pii.yaml': `apiVersion: landscape.dev/v1
kind: DataPolicy
metadata: { name: pii }
spec: { topics: ["${prefix}*"], fields: [customer.email], redaction: { type: hash } }
`,
    });
    const stdout: string[] = [];
    const stderr: string[] = [];
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      stdout.push(String(chunk));
      return true;
    });
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr.push(String(chunk));
      return true;
    });

    // Act
    let code: number;
    let missing: number;
    let internal: number;
    try {
      code = await peekCommand(dir, { env: 'it', topic: jsonTopic, count: 3, state: dir });
      missing = await peekCommand(dir, { env: 'it', topic: `${prefix}nope`, state: dir });
      internal = await peekCommand(dir, { env: 'it', topic: '__consumer_offsets', state: dir });
    } finally {
      out.mockRestore();
      err.mockRestore();
    }

    // Assess
    expect(code).toBe(0);
    const lines = stdout
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { value: unknown });
    expect(lines).toHaveLength(3);
    expect(stderr[0]).toBe(`topic "${jsonTopic}": 3 most recent records, masked by DataPolicy "pii"\n`);
    for (const line of lines.filter((l) => typeof l.value === 'object')) {
      expect((line.value as { customer: { email: string } }).customer.email).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(missing).toBe(1);
    expect(stderr.join('')).toContain(`topic "${prefix}nope" does not exist`);
    expect(internal).toBe(1);
    expect(stderr.join('')).toContain('internal topics are not sampled');
  });

  it('GET /api/topics/{name}/sample on `landscape serve` masks by the published DataPolicies and audits the read', async () => {
    // Prepare: the environment's config as a merged push would publish it, in the server's state directory.
    process.env.KAFKA_PASSWORD ??= kafkaTestEnv.password;
    const dir = await configDir({
      'env.yaml': testEnvironmentYaml('it-serve'),
      'pii.yaml': `apiVersion: landscape.dev/v1
kind: DataPolicy
metadata: { name: pii }
spec: { topics: ["${prefix}*"], fields: [customer.email, ssn] }
`,
    });
    const stateDir = await configDir({});
    const state = new FileStateStore(stateDir);
    await publishMonitorConfig(state, await loadConfig(dir, 'it-serve'), { commit: 'c'.repeat(40) });
    // The applied config declares the sampled topic (only declared topics can be sampled over the API).
    await state.saveInventory('it-serve', { [keys.topic(jsonTopic)]: { key: keys.topic(jsonTopic), kind: 'Topic' } });
    const apiToken = 'sample-api-token-0123456789';
    const server = await startServer({
      stateDir,
      webhookSecret: 'sample-webhook-secret-0123456789',
      apiToken,
      repositories: ['acme/config'],
      git: { baseUrl: 'http://127.0.0.1:1' },
      logLevel: 'SILENT',
    });
    const get = (path: string, token = apiToken) =>
      fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

    // Act
    let sampled: Response;
    let missing: Response;
    let undeclared: Response;
    let anonymous: Response;
    try {
      sampled = await get(`/api/topics/${jsonTopic}/sample?environment=it-serve&count=4`);
      missing = await get(`/api/topics/${prefix}nope/sample?environment=it-serve`);
      undeclared = await get(`/api/topics/${avroTopic}/sample?environment=it-serve`);
      anonymous = await get(`/api/topics/${jsonTopic}/sample?environment=it-serve`, 'wrong-token-0123456789xx');
      await server.idle();
    } finally {
      await server.close();
    }

    // Assess
    expect(sampled.status).toBe(200);
    const body = (await sampled.json()) as {
      environment: string;
      commit: string;
      policies: string[];
      records: { value: unknown; valueFormat: string }[];
    };
    expect(body).toMatchObject({ environment: 'it-serve', commit: 'c'.repeat(40), policies: ['pii'] });
    expect(body.records).toHaveLength(4);
    for (const r of body.records.filter((x) => x.valueFormat === 'json')) {
      const v = r.value as { customer: { email: string; name: string }; ssn: string };
      expect(v.customer.email).toBe(MASK);
      expect(v.ssn).toBe(MASK);
    }
    expect(JSON.stringify(body)).not.toMatch(/user\d@example\.com/);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toContain('is not declared');
    expect(undeclared.status).toBe(404);
    expect(anonymous.status).toBe(401);
    const audit = (await new FileStateStore(stateDir).listAudit('it-serve')).filter((r) => r.type === 'sample');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'api-token', outcome: 'Masked', summary: { records: 4 } });
  });
});
