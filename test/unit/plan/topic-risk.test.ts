import { describe, expect, it } from 'vitest';
import { configRisk } from '../../../lib/plan/kinds/topic.ts';

describe('configRisk: what a reviewer should know about a topic config change', () => {
  it('warns when retention shrinks, including from unlimited, and stays quiet when it grows', () => {
    expect(configRisk('retention.ms', '-1', '604800000', 3)).toBe(
      'shorter retention: records older than 7d are deleted at the next log cleanup',
    );
    expect(configRisk('retention.bytes', '1073741824', '536870912', 3)).toBe(
      'smaller retention: each partition is trimmed to 536870912 bytes at the next log cleanup',
    );
    expect(configRisk('retention.ms', '3600000', '86400000', 3)).toBeUndefined();
    expect(configRisk('retention.ms', '3600000', '-1', 3)).toBeUndefined();
    expect(configRisk('retention.ms', undefined, '3600000', 3)).toBeUndefined();
  });

  it('explains compaction switched on or off', () => {
    expect(configRisk('cleanup.policy', 'delete', 'compact', 3)).toContain('records without a key are rejected');
    expect(configRisk('cleanup.policy', undefined, 'compact,delete', 3)).toContain('latest record per key');
    expect(configRisk('cleanup.policy', 'compact', 'delete', 3)).toBe(
      'no more compaction: old records are deleted by retention instead',
    );
    expect(configRisk('cleanup.policy', 'compact', 'compact,delete', 3)).toBeUndefined();
  });

  it('warns when min.insync.replicas leaves no replica to lose', () => {
    expect(configRisk('min.insync.replicas', '2', '3', 3)).toBe(
      'min.insync.replicas 3 with 3 replicas: acks=all producers fail whenever one replica is down',
    );
    expect(configRisk('min.insync.replicas', '1', '2', 3)).toBeUndefined();
    expect(configRisk('min.insync.replicas', '1', '1', 1)).toBeUndefined();
  });
});
