import { z } from 'zod';
import { PrincipalSchema } from './acl.ts';
import { topicNameProblem } from './topic.ts';

/**
 * Access by intent (ADR 0043): who may do what, said as roles (consumer, producer, streams, connect worker,
 * schema-registry reader/writer, admin of a prefix) instead of ACL bindings. The planner expands each role to
 * ordinary Acl resources (lib/plan/access/roles.ts); the table of bindings per role is in the ADR.
 */

/** A literal topic name: Kafka's own rule, so a typo is an error here and not a binding that matches nothing. */
const TopicNameSchema = z.string().superRefine((name, context) => {
  const problem = topicNameProblem(name);
  if (problem) context.addIssue({ code: 'custom', message: problem });
});

/**
 * A name prefix, for prefixed bindings. Kafka matches a prefix literally: `events.*` would match only names
 * starting with "events.*", so a trailing star is refused with the fix.
 */
const PrefixSchema = z
  .string()
  .min(1, 'must not be empty: an empty prefix would match every name')
  .superRefine((prefix, context) => {
    if (!prefix.endsWith('*')) return;
    context.addIssue({
      code: 'custom',
      message: `"${prefix}": a prefix is matched literally ("*" is not a wildcard); write "${prefix.replace(/\*+$/, '')}"`,
    });
  });

const NameSchema = z.string().min(1);

/** Topics by name and by prefix; both lists default to empty. */
const topicFields = {
  topics: z.array(TopicNameSchema).default([]).describe('Topic names.'),
  topicPrefixes: z
    .array(PrefixSchema)
    .default([])
    .describe('Every topic whose name starts with one of these (no `*`: a prefix is matched literally).'),
};

/** Reads topics (READ, DESCRIBE) in a consumer group (READ) or any group with a prefix. */
export const ConsumerGrantSchema = z
  .strictObject({
    ...topicFields,
    group: NameSchema.optional().describe('Its consumer group (READ).'),
    groupPrefix: PrefixSchema.optional().describe('Every consumer group whose name starts with this (READ).'),
  })
  .refine(
    (g) => g.topics.length + g.topicPrefixes.length > 0 || g.group !== undefined || g.groupPrefix !== undefined,
    'grants nothing: name topics, topicPrefixes, a group or a groupPrefix',
  )
  .describe('Reads topics (READ, DESCRIBE) in a consumer group or any group with a prefix (READ).');
export type ConsumerGrant = z.infer<typeof ConsumerGrantSchema>;

/** Writes topics (WRITE, DESCRIBE), with transactional ids; idempotent unless said otherwise. */
export const ProducerGrantSchema = z
  .strictObject({
    ...topicFields,
    transactionalIds: z.array(NameSchema).default([]).describe('Transactional ids it uses (WRITE, DESCRIBE).'),
    transactionalIdPrefixes: z
      .array(PrefixSchema)
      .default([])
      .describe('Every transactional id starting with one of these (WRITE, DESCRIBE).'),
    idempotent: z
      .boolean()
      .default(true)
      .describe('IDEMPOTENT_WRITE on the cluster, with topics: the producer default since Kafka 3.0.'),
  })
  .refine(
    (g) => g.topics.length + g.topicPrefixes.length + g.transactionalIds.length + g.transactionalIdPrefixes.length > 0,
    'grants nothing: name topics, topicPrefixes, transactionalIds or transactionalIdPrefixes',
  )
  .describe('Writes topics (WRITE, DESCRIBE), with transactional ids; idempotent unless said otherwise.');
export type ProducerGrant = z.infer<typeof ProducerGrantSchema>;

/** Kafka Streams' application.id prefixes topic names, so it obeys the topic name rule. */
const ApplicationIdSchema = z
  .string()
  .regex(/^[a-zA-Z0-9._-]{1,200}$/, 'expected an application.id of letters, digits, ".", "_" and "-"');

/**
 * Whose bindings a streams or connectWorker entry generates: Landscape's (the table in ADR 0043), or the set
 * kafka-gitops or JulieOps grant for the same application, so a setup imported from those tools keeps its
 * role and plans no changes (ADR 0043 lists each set).
 */
export const AclStyleSchema = z.enum(['landscape', 'kafka-gitops', 'julieops']);
export type AclStyle = z.infer<typeof AclStyleSchema>;

const aclStyleField = AclStyleSchema.default('landscape').describe(
  "Whose bindings to generate: `landscape` (default), or exactly what `kafka-gitops` or `julieops` grant for the same application (to keep an imported setup's ACLs; ADR 0043 lists them).",
);

/**
 * A Kafka Streams application: its inputs and outputs, and what Streams creates for itself under its
 * application id (internal topics `<applicationId>-…-repartition|changelog`, the group `<applicationId>`, with
 * exactly-once the transactional ids `<applicationId>-…`).
 */
export const StreamsGrantSchema = z
  .strictObject({
    applicationId: ApplicationIdSchema.describe(
      'Its `application.id`: its group, and the prefix of its internal topics (and transactional ids).',
    ),
    inputs: z.array(TopicNameSchema).default([]).describe('Topics it reads (READ, DESCRIBE).'),
    inputPrefixes: z.array(PrefixSchema).default([]).describe('Topic prefixes it reads.'),
    outputs: z.array(TopicNameSchema).default([]).describe('Topics it writes (WRITE, DESCRIBE).'),
    outputPrefixes: z.array(PrefixSchema).default([]).describe('Topic prefixes it writes.'),
    exactlyOnce: z
      .boolean()
      .default(false)
      .describe('`processing.guarantee: exactly_once_v2`: transactional ids under the application id.'),
    aclStyle: aclStyleField,
  })
  .refine((g) => !(g.exactlyOnce && g.aclStyle === 'kafka-gitops'), {
    message: 'kafka-gitops grants a streams app no transactional ids: drop exactlyOnce or aclStyle: kafka-gitops',
    path: ['exactlyOnce'],
  })
  .describe(
    'A Kafka Streams application: its inputs and outputs, and what Streams creates under its application id (internal topics, the group, with exactly-once the transactional ids).',
  );
export type StreamsGrant = z.infer<typeof StreamsGrantSchema>;

/** A Kafka Connect worker (distributed mode): its group, its three internal topics, its connectors' topics. */
export const ConnectWorkerGrantSchema = z
  .strictObject({
    group: NameSchema.describe("The workers' `group.id`."),
    configTopic: TopicNameSchema.describe('`config.storage.topic`.'),
    offsetTopic: TopicNameSchema.describe('`offset.storage.topic`.'),
    statusTopic: TopicNameSchema.describe('`status.storage.topic`.'),
    // Topics the connectors read (sinks) or write (sources).
    ...topicFields,
    connectorGroupPrefix: PrefixSchema.default('connect-').describe(
      'Sink connectors consume in the group `connect-<connector name>` unless they override it (granted only with `aclStyle: landscape`).',
    ),
    aclStyle: aclStyleField,
  })
  .describe("A Kafka Connect worker (distributed mode): its group, its three internal topics, its connectors' topics.");
export type ConnectWorkerGrant = z.infer<typeof ConnectWorkerGrantSchema>;

/** Everything on the topics, groups and transactional ids under some prefixes (ALL). */
export const AdminGrantSchema = z
  .strictObject({
    topicPrefixes: z.array(PrefixSchema).default([]),
    groupPrefixes: z.array(PrefixSchema).default([]),
    transactionalIdPrefixes: z.array(PrefixSchema).default([]),
  })
  .refine(
    (g) => g.topicPrefixes.length + g.groupPrefixes.length + g.transactionalIdPrefixes.length > 0,
    'grants nothing: name topicPrefixes, groupPrefixes or transactionalIdPrefixes',
  )
  .describe('Everything (ALL) on the topics, groups and transactional ids under some prefixes.');
export type AdminGrant = z.infer<typeof AdminGrantSchema>;

export const SchemaRegistryAccessSchema = z.enum(['reader', 'writer']);
export type SchemaRegistryAccess = z.infer<typeof SchemaRegistryAccessSchema>;

/** The grants an Access or an AccessRole may hold (every list defaults to empty). */
const grantFields = {
  consumer: z.array(ConsumerGrantSchema).default([]),
  producer: z.array(ProducerGrantSchema).default([]),
  streams: z.array(StreamsGrantSchema).default([]),
  connectWorker: z.array(ConnectWorkerGrantSchema).default([]),
  schemaRegistry: SchemaRegistryAccessSchema.optional().describe(
    'Access to the schema registry. Landscape does not enforce it: the plan notes that it is not enforced.',
  ),
  admin: z.array(AdminGrantSchema).default([]),
};

/** The role fields, in the order the planner expands them (and plans list them). */
export const GRANT_ROLES = ['consumer', 'producer', 'streams', 'connectWorker', 'admin'] as const;
export type GrantRole = (typeof GRANT_ROLES)[number];

function grantsSomething(spec: { [K in GrantRole]: readonly unknown[] } & { schemaRegistry?: unknown }): boolean {
  return GRANT_ROLES.some((role) => spec[role].length > 0) || spec.schemaRegistry !== undefined;
}

/**
 * A reusable role: the grants of an Access without principals. Access documents name it in `roles`; it grants
 * nothing on its own.
 */
export const AccessRoleSpecSchema = z
  .strictObject(grantFields)
  .refine(grantsSomething, 'grants nothing: add consumer, producer, streams, connectWorker, schemaRegistry or admin')
  .describe(
    'A reusable role: the grants of an Access without principals. Access documents name it in `roles`; it grants nothing on its own.',
  );
export type AccessRoleSpec = z.infer<typeof AccessRoleSpecSchema>;

/** Who (principals) may do what (roles by name, and grants written inline). */
export const AccessSpecSchema = z
  .strictObject({
    principals: z
      .array(PrincipalSchema)
      .refine((list) => list.length > 0, 'name at least one principal, e.g. "User:orders-app"')
      .describe(
        'Who gets the grants: SCRAM users, mTLS subjects (`User:CN=...`), or on an aws-msk-iam environment the principals whose IAM policy is rendered.',
      ),
    roles: z.array(NameSchema).default([]).describe('Names of AccessRole documents whose grants apply too.'),
    ...grantFields,
  })
  .refine(
    (spec) => spec.roles.length > 0 || grantsSomething(spec),
    'grants nothing: add roles, consumer, producer, streams, connectWorker, schemaRegistry or admin',
  )
  .describe(
    'Who may do what, by intent: roles (consumer, producer, streams, connect worker, admin of a prefix) that the plan expands to ordinary Acl bindings, listed under the Access that asked for them.',
  );
export type AccessSpec = z.infer<typeof AccessSpecSchema>;

/** The grant part of an Access or AccessRole (what the role expansion reads). */
export type AccessGrants = Pick<AccessRoleSpec, GrantRole | 'schemaRegistry'>;
