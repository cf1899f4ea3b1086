/**
 * Produces JSON records to a topic, the way an app would, so the demo can show masked samples.
 * Usage: node scripts/demo/produce.ts TOPIC JSON [JSON ...]
 */
import { Producer } from '@platformatic/kafka';
import { demoConnection } from './connection.ts';

const [topic, ...values] = process.argv.slice(2);
if (!topic || values.length === 0) {
  process.stderr.write('usage: produce.ts TOPIC JSON [JSON ...]\n');
  process.exit(2);
}
const producer = new Producer({ ...demoConnection('demo-app'), idempotent: false });
try {
  await producer.send({ messages: values.map((value) => ({ topic, value: Buffer.from(value) })) });
  process.stdout.write(`produced ${values.length} record(s) to ${topic}\n`);
} finally {
  await producer.close();
}
