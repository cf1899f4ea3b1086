import { openTopicSampler } from '../adapters/kafka/topic-sampler.ts';
import { ReconcilerError } from '../errors.ts';
import { dataPoliciesOf, sampleTopic } from '../governance/sample.ts';
import { isProtectedName } from '../plan/compute-plan.ts';
import { localContext } from '../wiring/local.ts';
import { loadOrReport } from './load-or-report.ts';
import { EXIT } from './output.ts';

export interface PeekOptions {
  env: string;
  topic: string;
  count?: number;
  state?: string;
  /** One JSON document (the whole sample) instead of one JSON line per record. */
  json?: boolean;
}

/**
 * `landscape peek DIR --env E TOPIC [--count N]`: the newest records of a topic, decoded (JSON, Avro via the
 * registry) and masked by the DataPolicies of DIR that cover the topic. Records go to stdout, one JSON line
 * each (newest first); what was masked goes to stderr. Reads only: no consumer group, no commits.
 */
export async function peekCommand(dir: string, options: PeekOptions): Promise<number> {
  const config = await loadOrReport(dir, options.env);
  if (!config) return EXIT.error;
  if (isProtectedName('Topic', options.topic, config.environment.spec)) {
    // Internal topics are covered by no DataPolicy and can hold anything (offsets, transaction state).
    process.stderr.write(
      `topic "${options.topic}" has a protected prefix (${config.environment.spec.protectedPrefixes.join(', ')}): internal topics are not sampled\n`,
    );
    return EXIT.error;
  }
  const { secrets } = localContext(options.state, dir);
  const sampler = await openTopicSampler(config.environment.spec, secrets);
  try {
    const sample = await sampleTopic(
      {
        topic: options.topic,
        ...(options.count !== undefined ? { count: options.count } : {}),
        policies: dataPoliciesOf(config),
      },
      sampler,
    );
    const masking =
      sample.policies.length > 0
        ? `masked by DataPolicy ${sample.policies.map((p) => `"${p}"`).join(', ')}`
        : 'no DataPolicy covers it: shown unmasked';
    process.stderr.write(
      `topic "${sample.topic}": ${sample.records.length} most recent record${sample.records.length === 1 ? '' : 's'}, ${masking}\n`,
    );
    for (const problem of sample.problems) process.stderr.write(`  note: ${problem}\n`);
    if (options.json) process.stdout.write(`${JSON.stringify(sample, null, 2)}\n`);
    else for (const record of sample.records) process.stdout.write(`${JSON.stringify(record)}\n`);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof ReconcilerError && (error.code === 'NotFound' || error.code === 'BadRequest')) {
      process.stderr.write(`${error.message}\n`);
      return EXIT.error;
    }
    throw error;
  } finally {
    await sampler.close();
  }
}
