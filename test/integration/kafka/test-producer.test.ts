import { Producer } from '@platformatic/kafka';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupPrefix, kafkaTestEnv, testProducer } from '../../../scripts/services/kafka-broker.ts';
import { createTopicsAndWait, endOffset, uniquePrefix } from '../../support/kafka.ts';
import { loseNextProduceAck } from '../../support/lost-ack.ts';

/**
 * Why tests that count records produce with `testProducer`: when a batch's acknowledgement is lost (what a
 * loaded machine does to a produce request that times out), the client sends the batch again. The broker
 * dedupes the retry of an idempotent producer; a plain producer's retry is a second copy.
 */
const prefix = uniquePrefix('it-producer');

afterAll(async () => {
  await cleanupPrefix(prefix);
});

async function sendTenWithLostAck(producer: Producer, topic: string): Promise<number> {
  const fault = loseNextProduceAck();
  try {
    await producer.send({ messages: Array.from({ length: 10 }, (_, i) => ({ topic, value: Buffer.from(`v${i}`) })) });
  } finally {
    fault.restore();
    await producer.close();
  }
  return fault.lost;
}

describe('producing test data', () => {
  it('testProducer writes a batch once when its acknowledgement is lost and the client retries', async () => {
    const topic = `${prefix}idempotent`;
    await createTopicsAndWait([topic], 1);
    expect(await sendTenWithLostAck(testProducer(`${prefix}idempotent`), topic)).toBe(1);
    expect(await endOffset(topic)).toBe(10n);
  });

  it('a plain producer writes the batch twice in the same situation (the monitor test saw 100 for 70)', async () => {
    const topic = `${prefix}plain`;
    await createTopicsAndWait([topic], 1);
    const plain = new Producer({
      clientId: `${prefix}plain`,
      bootstrapBrokers: kafkaTestEnv.bootstrap.split(','),
      sasl: { mechanism: 'SCRAM-SHA-512', username: kafkaTestEnv.username, password: kafkaTestEnv.password },
    });
    expect(await sendTenWithLostAck(plain, topic)).toBe(1);
    expect(await endOffset(topic)).toBe(20n);
  });
});
