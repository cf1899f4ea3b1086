/**
 * Changes a topic config directly on the broker, the way an operator with a CLI would, so the demo can show
 * drift. Usage: node scripts/demo/out-of-band-change.ts TOPIC KEY VALUE
 */
import { Admin, ConfigResourceTypes, IncrementalAlterConfigOperationTypes } from '@platformatic/kafka';
import { demoConnection } from './connection.ts';

const [topic, name, value] = process.argv.slice(2);
if (!topic || !name || value === undefined) {
  process.stderr.write('usage: out-of-band-change.ts TOPIC KEY VALUE\n');
  process.exit(2);
}
const admin = new Admin(demoConnection('demo-operator'));
try {
  await admin.incrementalAlterConfigs({
    resources: [
      {
        resourceType: ConfigResourceTypes.TOPIC,
        resourceName: topic,
        configs: [{ name, value, configOperation: IncrementalAlterConfigOperationTypes.SET }],
      },
    ],
  });
  process.stdout.write(`out of band: set ${name}=${value} on topic ${topic}\n`);
} finally {
  await admin.close();
}
