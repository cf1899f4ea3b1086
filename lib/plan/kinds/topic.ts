import type { JsonObject } from '../../model/common.ts';
import type { EnvironmentSpec } from '../../model/environment.ts';
import { keys } from '../../model/keys.ts';
import type { FieldChange } from '../../model/plan.ts';
import { jsonEqual } from '../canonical-json.ts';
import { leafFields } from '../diff.ts';
import type { KindRules } from '../kind-rules.ts';
import { exportEach } from './export-names.ts';
import type { DocumentKindModule, Renderer, ResourceKindModule } from './kind-module.ts';

type TopicLive = {
  partitions?: number;
  replicationFactor?: number;
  config?: Record<string, string>;
  defaults?: Record<string, string>;
};
/** `replicationFactor: "default"`: the broker's default.replication.factor, never compared with the live one. */
type TopicDesired = { partitions: number; replicationFactor: number | 'default'; config: Record<string, string> };

/** The replication factor a risk is judged with: unknown for the broker default. */
const knownReplicas = (want: TopicDesired): number | undefined =>
  typeof want.replicationFactor === 'number' ? want.replicationFactor : undefined;

/** A whole number of milliseconds or bytes; -1 (unlimited) as Infinity. */
function limitOf(value: string | undefined): number | undefined {
  if (value === undefined || !/^-?\d+$/.test(value.trim())) return undefined;
  const n = Number(value);
  return n < 0 ? Number.POSITIVE_INFINITY : n;
}

function duration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's'],
  ];
  for (const [size, unit] of units) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/**
 * What a reviewer should know before approving a config change that loses or rejects data, or weakens
 * durability (none of the anchors annotate plans with this; KAFKA-ANCHORS.md 3.3).
 */
export function configRisk(
  key: string,
  before: string | undefined,
  after: string,
  replicationFactor: number | undefined,
): string | undefined {
  if (key === 'retention.ms' || key === 'retention.bytes') {
    const was = limitOf(before);
    const will = limitOf(after);
    if (was === undefined || will === undefined || will >= was) return undefined;
    return key === 'retention.ms'
      ? `shorter retention: records older than ${duration(will)} are deleted at the next log cleanup`
      : `smaller retention: each partition is trimmed to ${will} bytes at the next log cleanup`;
  }
  if (key === 'cleanup.policy') {
    const compacts = (v: string | undefined) =>
      (v ?? 'delete')
        .split(',')
        .map((s) => s.trim())
        .includes('compact');
    if (!compacts(before) && compacts(after)) {
      return 'compaction keeps only the latest record per key, and records without a key are rejected';
    }
    if (compacts(before) && !compacts(after)) return 'no more compaction: old records are deleted by retention instead';
    return undefined;
  }
  if (key === 'min.insync.replicas') {
    const n = Number(after);
    if (replicationFactor === undefined) return undefined;
    const replicas = `${replicationFactor} replica${replicationFactor === 1 ? '' : 's'}`;
    // A single replica is no exception: with min.insync.replicas 1 it still leaves no replica to lose.
    if (Number.isInteger(n) && n > replicationFactor) {
      return `min.insync.replicas ${n} with only ${replicas}: acks=all producers are always refused (not enough in-sync replicas)`;
    }
    if (Number.isInteger(n) && n === replicationFactor) {
      return `min.insync.replicas ${n} with ${replicas}: acks=all producers fail whenever one replica is down`;
    }
  }
  return undefined;
}

/**
 * Topics: only declared config keys are compared, against the effective value (a broker default equal to the
 * declared value is not a diff). A key Landscape set before and that is gone from git is reset to the default.
 */
export const topicRules: KindRules = {
  diff({ desired, live, inventory }) {
    const want = desired.spec as unknown as TopicDesired;
    const have = live.spec as unknown as TopicLive;
    const fields: FieldChange[] = [];
    if (want.partitions !== have.partitions) {
      fields.push({
        path: 'partitions',
        ...(have.partitions !== undefined ? { before: have.partitions } : {}),
        after: want.partitions,
        ...(have.partitions !== undefined && want.partitions > have.partitions
          ? {
              note: 'more partitions remap keys: a key may move to another partition, so per-key order across the change is not kept',
            }
          : {}),
      });
    }
    if (want.replicationFactor !== 'default' && want.replicationFactor !== have.replicationFactor) {
      fields.push({
        path: 'replicationFactor',
        ...(have.replicationFactor !== undefined ? { before: have.replicationFactor } : {}),
        after: want.replicationFactor,
      });
    }
    for (const key of Object.keys(want.config).sort()) {
      const effective = have.config?.[key] ?? have.defaults?.[key];
      if (!jsonEqual(want.config[key], effective)) {
        const risk = configRisk(key, effective, want.config[key] as string, knownReplicas(want));
        fields.push({
          path: `config.${key}`,
          ...(effective !== undefined ? { before: effective } : {}),
          after: want.config[key] as string,
          ...(risk ? { note: risk } : {}),
        });
      }
    }
    for (const managed of inventory?.managedFields ?? []) {
      const key = managed.startsWith('config.') ? managed.slice('config.'.length) : undefined;
      if (key === undefined || key in want.config) continue;
      const override = have.config?.[key];
      if (override === undefined) continue;
      const fallback = have.defaults?.[key];
      const risk = fallback !== undefined ? configRisk(key, override, fallback, knownReplicas(want)) : undefined;
      fields.push({
        path: `config.${key}`,
        before: override,
        ...(fallback !== undefined ? { resetTo: fallback } : {}),
        note: `removed from git: reset to the broker default${risk ? `; ${risk}` : fallback === undefined && key.startsWith('retention.') ? ' (not reported while overridden; it may be shorter)' : ''}`,
      });
    }
    return fields;
  },

  refuseUpdate(_input, fields) {
    const refusals = [];
    const partitions = fields.find((f) => f.path === 'partitions');
    if (
      partitions &&
      typeof partitions.before === 'number' &&
      typeof partitions.after === 'number' &&
      partitions.after < partitions.before
    ) {
      refusals.push({
        reason: 'PartitionDecrease' as const,
        message: `partitions can only grow: live has ${partitions.before}, git asks for ${partitions.after}; Kafka cannot remove partitions (recreate the topic under a new name and migrate, or set partitions back to ${partitions.before})`,
        paths: ['partitions'],
      });
    }
    const replication = fields.find((f) => f.path === 'replicationFactor');
    if (replication) {
      refusals.push({
        reason: 'ReplicationFactorChange' as const,
        message: `replication factor ${String(replication.before)} -> ${String(replication.after)} needs a partition reassignment, which Landscape does not perform; reassign with kafka-reassign-partitions, then update the file to match`,
        paths: ['replicationFactor'],
      });
    }
    return refusals;
  },

  createFields(desired) {
    // A new topic has no data to lose yet, but a min.insync.replicas it can never meet rejects writes at once.
    const want = desired.spec as unknown as TopicDesired;
    return leafFields(desired.spec).map((field) => {
      if (field.path !== 'config.min.insync.replicas' || typeof field.after !== 'string') return field;
      const risk = configRisk('min.insync.replicas', undefined, field.after, knownReplicas(want));
      return risk ? { ...field, note: risk } : field;
    });
  },

  managedFields(desired) {
    return Object.keys((desired.spec as unknown as TopicDesired).config)
      .sort()
      .map((key) => `config.${key}`);
  },

  isDestructiveUpdate(fields) {
    // Shorter retention or a switch to compaction drops data that exists today.
    return fields.some((f) => {
      // A removed override counts with the default it falls back to. The broker reports no default for a key
      // the topic overrides (DescribeConfigs without synonyms), so removing a retention override whose
      // default is unknown may shorten retention: it needs the same approval as a decrease.
      if (
        (f.path === 'config.retention.ms' || f.path === 'config.retention.bytes') &&
        f.before !== undefined &&
        f.after === undefined &&
        f.resetTo === undefined
      ) {
        return true;
      }
      const becomes = f.after ?? f.resetTo;
      if (f.path === 'config.cleanup.policy' && typeof becomes === 'string')
        return becomes.includes('compact') && !String(f.before).includes('compact');
      if (
        (f.path === 'config.retention.ms' || f.path === 'config.retention.bytes') &&
        f.before !== undefined &&
        becomes !== undefined
      ) {
        const before = Number(f.before);
        const after = Number(becomes);
        return before === -1 ? after !== -1 : after !== -1 && after < before;
      }
      return false;
    });
  },

  exportSpec(live) {
    const have = live.spec as unknown as TopicLive;
    return {
      partitions: have.partitions ?? 1,
      replicationFactor: have.replicationFactor ?? 1,
      config: { ...(have.config ?? {}) },
    } as JsonObject;
  },
};

/**
 * A Topic as its desired resource. Partitions and replication factor are filled from matching TopicDefaults by
 * the loader (lib/config/load-config.ts); a topic that has neither is an error at its file:line here.
 */
export const renderTopic: Renderer<'Topic'> = (doc) => {
  const { partitions, replicationFactor } = doc.spec;
  if (partitions === undefined || replicationFactor === undefined) {
    const field = partitions === undefined ? 'partitions' : 'replicationFactor';
    return {
      resources: [],
      problems: [
        {
          ...doc.locate(['spec']),
          resource: `Topic "${doc.metadata.name}"`,
          field: `spec.${field}`,
          message: `is required (expected a positive integer${field === 'replicationFactor' ? ' or "default"' : ''})`,
          hint: `add "${field}" to the topic, or a TopicDefaults document that matches it and sets "${field}"`,
          severity: 'error',
        },
      ],
    };
  }
  return {
    resources: [
      {
        key: keys.topic(doc.metadata.name),
        kind: 'Topic',
        name: doc.metadata.name,
        spec: { partitions, replicationFactor, config: { ...doc.spec.config } },
        source: doc.source,
      },
    ],
    problems: [],
  };
};

export const topicDocument: DocumentKindModule<'Topic'> = {
  kind: 'Topic',
  role: 'resource',
  render: renderTopic,
  policyFacts: (doc) => ({
    ...(doc.spec.partitions !== undefined ? { partitions: doc.spec.partitions } : {}),
    ...(doc.spec.replicationFactor !== undefined ? { replicationFactor: doc.spec.replicationFactor } : {}),
    ...(doc.spec.config['retention.ms'] !== undefined ? { retentionMs: doc.spec.config['retention.ms'] } : {}),
    config: doc.spec.config,
  }),
};

export const topicKind: ResourceKindModule<'Topic'> = {
  kind: 'Topic',
  wave: 1,
  rules: topicRules,
  identityName: 'topic id',
  /** Internal topics and the like: `protectedPrefixes` of the Environment. */
  isProtected: (name: string, environment: EnvironmentSpec) =>
    environment.protectedPrefixes.some((prefix) => name.startsWith(prefix)),
  export: { file: 'topics.yaml', document: 'Topic', toDocuments: exportEach('Topic', topicRules) },
};
