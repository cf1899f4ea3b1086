import { loadMonitorConfig, type MonitorConfig } from '../config/published-config.ts';
import { ReconcilerError } from '../errors.ts';
import { sampleCount, sampleTopic, type TopicSample } from '../governance/sample.ts';
import { auditId, sampleRecord } from '../model/audit.ts';
import { keys } from '../model/keys.ts';
import type { RecordSource } from '../ports/record-source.ts';
import { type SecretResolver, secretsForEnvironment } from '../ports/secret-resolver.ts';
import type { StateStore } from '../ports/state-store.ts';
import { checkEnvironment, ENVIRONMENT_INDEX } from './plan-policy.ts';

/** Opens a reader of a topic's tail on an environment's connections (lib/adapters/kafka/topic-sampler.ts). */
export type OpenSampler = (
  connections: MonitorConfig['connections'],
  secrets: SecretResolver,
) => Promise<RecordSource & { close(): Promise<void> }>;

export interface SamplePublishedTopicDeps {
  store: Pick<StateStore, 'getValue' | 'appendAudit' | 'getInventory'>;
  secrets: SecretResolver;
  openSampler: OpenSampler;
  now: () => Date;
  newId: () => string;
}

export interface TopicSampleRequest {
  environment?: string | undefined;
  topic: string;
  count?: number | undefined;
}

export type PublishedTopicSample = TopicSample & { environment: string; commit?: string };

// Kafka's own limits: legal characters, at most 249 of them.
const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

/**
 * `GET /topics/{name}/sample?environment=E&count=N`: the newest records of a topic, masked by the DataPolicies
 * of the environment's published config (the merged commit, not a pull request's). Reading a topic is data
 * access, so each sample is an audit record (who, which topic, how many records; never their content).
 * With no `environment`, the only known environment is used.
 *
 * Only topics the applied config declares can be sampled: internal and unmanaged topics (`__consumer_offsets`,
 * Kafka Connect's config storage, which holds resolved connector secrets) are covered by no DataPolicy and
 * must not be readable through the operator API.
 */
export async function samplePublishedTopic(
  deps: SamplePublishedTopicDeps,
  request: TopicSampleRequest,
  actor: string,
): Promise<PublishedTopicSample> {
  if (!TOPIC_NAME.test(request.topic)) {
    throw new ReconcilerError(
      'BadRequest',
      `"${request.topic.slice(0, 80)}" is not a topic name (letters, digits, ".", "_", "-"; at most 249)`,
    );
  }
  const count = sampleCount(request.count);
  const environment = await environmentOf(deps.store, request.environment);
  const published = await loadMonitorConfig(deps.store, environment);
  if (!published) {
    throw new ReconcilerError(
      'NotFound',
      `nothing has been deployed to environment "${environment}" yet, so its DataPolicies are unknown and no sample is shown`,
    );
  }
  if (!(await deps.store.getInventory(environment))[keys.topic(request.topic)]) {
    throw new ReconcilerError(
      'NotFound',
      `topic "${request.topic}" is not declared in the config applied to "${environment}": only declared topics can be sampled`,
    );
  }
  const sampler = await deps.openSampler(published.connections, secretsForEnvironment(deps.secrets, environment));
  let sample: TopicSample;
  try {
    sample = await sampleTopic(
      {
        topic: request.topic,
        count,
        policies: published.dataPolicies,
      },
      sampler,
    );
  } finally {
    await sampler.close().catch(() => undefined);
  }
  await deps.store.appendAudit(
    sampleRecord(sample.policies.length > 0 ? 'Masked' : 'Unmasked', {
      id: auditId.sample(deps.now().toISOString(), environment, deps.newId()),
      at: deps.now().toISOString(),
      environment,
      actor,
      commit: published.commit || undefined,
      summary: { records: sample.records.length },
      message: `sampled topic "${sample.topic}"${sample.policies.length > 0 ? ` (DataPolicy ${sample.policies.join(', ')})` : ''}`,
    }),
  );
  return { environment, ...(published.commit ? { commit: published.commit } : {}), ...sample };
}

async function environmentOf(store: Pick<StateStore, 'getValue'>, given: string | undefined): Promise<string> {
  if (given !== undefined) return checkEnvironment(given);
  const known = (await store.getValue<string[]>(ENVIRONMENT_INDEX)) ?? [];
  if (known.length === 1 && known[0]) return known[0];
  throw new ReconcilerError(
    'BadRequest',
    known.length === 0
      ? 'no environment has been deployed yet: give ?environment=NAME'
      : `give ?environment=NAME (one of: ${known.join(', ')})`,
  );
}
