import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupPrefix } from '../../../scripts/services/kafka-broker.ts';
import { appliedByStrimzi } from '../../fixtures/import/strimzi/applied.ts';
import { applyAsTool, type ImportRun, importThenPlan, removeAsTool } from '../../support/import-acceptance.ts';
import { renamer } from '../../support/import-fixtures.ts';
import { uniquePrefix } from '../../support/kafka.ts';

const prefix = uniquePrefix('it-import-st');
const n = renamer(prefix);

const applied = appliedByStrimzi(n);

let run: ImportRun;

beforeAll(async () => {
  await applyAsTool(applied);
  run = await importThenPlan('strimzi', ['topics.yaml', 'users.yaml'], n);
});

afterAll(async () => {
  await removeAsTool(applied);
  await cleanupPrefix(prefix);
});

describe('landscape import --from strimzi, against what strimzi applied', () => {
  it('imports the resources, and the plan against the same broker has no changes', () => {
    process.stdout.write(`strimzi: ${run.imported.stdout}`);
    // The Kafka resource and the TLS user's certificate are not converted: listed, and exit 2.
    expect(run.imported.stderr).toMatch(/topics\.yaml:30: Kafka "[^"]+": only KafkaTopic and KafkaUser are converted/);
    expect(run.imported.stderr).toMatch(/users\.yaml:65: KafkaUser "[^"]+acme-audit" authentication tls/);
    expect(run.imported.code).toBe(2);
    expect([...run.files.keys()].sort()).toEqual([
      'access.yaml',
      'acls.yaml',
      'quotas.yaml',
      'topics.yaml',
      'users.yaml',
    ]);
    expect(run.plan.stdout, run.plan.stdout + run.plan.stderr).toContain('No changes');
    expect(run.plan.code).toBe(0);
  });
});
