import { aclHandler } from './acl.ts';
import { ipQuotaHandler } from './ip-quota.ts';
import type { KafkaKind, KafkaKindHandler } from './kafka-kind-handler.ts';
import { quotaHandler } from './quota.ts';
import { topicHandler } from './topic.ts';
import { userHandler } from './user.ts';

/**
 * THE registry of the Kafka kinds' adapter halves: one handler per `kafka` kind of RESOURCE_KINDS (a kind
 * without one does not compile). Insertion order = apply order within one call: creates and updates of
 * topics, users, quotas, IP quotas, then ACLs; deletes in reverse.
 */
export const KAFKA_HANDLERS = {
  Topic: topicHandler,
  User: userHandler,
  Quota: quotaHandler,
  IpQuota: ipQuotaHandler,
  Acl: aclHandler,
} as const satisfies { readonly [K in KafkaKind]: KafkaKindHandler<K> };

export type { KafkaKind };
