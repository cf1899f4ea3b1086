import { describe, expect, it } from 'vitest';
import { keys } from '../../../../lib/model/keys.ts';
import { configRisk, topicRules } from '../../../../lib/plan/kinds/topic.ts';

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

  it('warns when min.insync.replicas leaves no replica to lose, a single replica included', () => {
    expect(configRisk('min.insync.replicas', '2', '3', 3)).toBe(
      'min.insync.replicas 3 with 3 replicas: acks=all producers fail whenever one replica is down',
    );
    expect(configRisk('min.insync.replicas', '1', '2', 3)).toBeUndefined();
    expect(configRisk('min.insync.replicas', '2', '1', 1)).toBe(
      'min.insync.replicas 1 with 1 replica: acks=all producers fail whenever one replica is down',
    );
  });

  it('warns that min.insync.replicas above the replication factor refuses every acks=all write', () => {
    expect(configRisk('min.insync.replicas', '1', '2', 1)).toBe(
      'min.insync.replicas 2 with only 1 replica: acks=all producers are always refused (not enough in-sync replicas)',
    );
    expect(configRisk('min.insync.replicas', undefined, '4', 3)).toContain('always refused');
  });

  it('treats a removed retention override like the shorter default it falls back to', () => {
    // Prepare: git no longer sets retention.ms; live has a 30-day override over a 7-day broker default.
    const key = keys.topic('orders');
    const fields = (topicRules.diff ?? (() => []))({
      desired: { key, kind: 'Topic', name: 'orders', spec: { partitions: 3, replicationFactor: 3, config: {} } },
      live: {
        key,
        kind: 'Topic',
        name: 'orders',
        spec: {
          partitions: 3,
          replicationFactor: 3,
          config: { 'retention.ms': '2592000000' },
          defaults: { 'retention.ms': '604800000' },
        },
      },
      inventory: { key, kind: 'Topic', managedFields: ['config.retention.ms'] },
    });

    // Assess
    expect(fields).toEqual([
      {
        path: 'config.retention.ms',
        before: '2592000000',
        resetTo: '604800000',
        note: 'removed from git: reset to the broker default; shorter retention: records older than 7d are deleted at the next log cleanup',
      },
    ]);
    expect(topicRules.isDestructiveUpdate?.(fields)).toBe(true);
    // The broker reports no default for an overridden key: removing a retention override is held for approval.
    expect(
      topicRules.isDestructiveUpdate?.([{ path: 'config.retention.ms', before: '2592000000', note: 'removed' }]),
    ).toBe(true);
    expect(
      topicRules.isDestructiveUpdate?.([{ path: 'config.retention.ms', before: '3600000', resetTo: '604800000' }]),
    ).toBe(false);
  });
});
