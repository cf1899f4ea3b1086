import { describe, expect, it } from 'vitest';
import { appliedByStrimzi } from '../../fixtures/import/strimzi/applied.ts';
import { importAcceptance } from '../../support/import-acceptance.ts';

const run = importAcceptance('strimzi', 'st', ['topics.yaml', 'users.yaml'], appliedByStrimzi);

describe('landscape import --from strimzi, against what strimzi applied', () => {
  it('imports the resources, and the plan against the same broker has no changes', () => {
    process.stdout.write(`strimzi: ${run().imported.stdout}`);
    // The Kafka resource and the TLS user's certificate are not converted: listed, and exit 2.
    expect(run().imported.stderr).toMatch(
      /topics\.yaml:30: Kafka "[^"]+": only KafkaTopic and KafkaUser are converted/,
    );
    expect(run().imported.stderr).toMatch(/users\.yaml:65: KafkaUser "[^"]+acme-audit" authentication tls/);
    expect(run().imported.code).toBe(2);
    expect([...run().files.keys()].sort()).toEqual([
      'access.yaml',
      'acls.yaml',
      'quotas.yaml',
      'topics.yaml',
      'users.yaml',
    ]);
    expect(run().plan.stdout, run().plan.stdout + run().plan.stderr).toContain('No changes');
    expect(run().plan.code).toBe(0);
  });
});
