import { eventually, rawAdmin } from '../../scripts/services/kafka-broker.ts';

/**
 * Creates topics and waits until every partition has a leader in fresh metadata: on a busy shared broker a
 * topic can be created and still be unknown to the next client for a second or more.
 */
export async function createTopicsAndWait(topics: string[], partitions: number): Promise<void> {
  const admin = rawAdmin('landscape-it-governance');
  try {
    await admin.createTopics({ topics, partitions, replicas: 1 });
    const ready = await eventually(async () => {
      const metadata = await admin.metadata({ topics, forceUpdate: true });
      return topics.every((t) => {
        const info = metadata.topics.get(t);
        return info !== undefined && info.partitionsCount === partitions && info.partitions.every((p) => p.leader >= 0);
      });
    }, 30_000);
    if (!ready) throw new Error(`topics ${topics.join(', ')} did not get leaders within 30 s`);
  } finally {
    await admin.close();
  }
}
