import { z } from 'zod';

export const AclResourceTypeSchema = z.enum(['topic', 'group', 'cluster', 'transactionalId', 'delegationToken']);
export type AclResourceType = z.infer<typeof AclResourceTypeSchema>;

export const AclOperationSchema = z.enum([
  'all',
  'read',
  'write',
  'create',
  'delete',
  'alter',
  'describe',
  'clusterAction',
  'describeConfigs',
  'alterConfigs',
  'idempotentWrite',
]);
export type AclOperation = z.infer<typeof AclOperationSchema>;

export const AclPatternTypeSchema = z.enum(['literal', 'prefixed']);
export type AclPatternType = z.infer<typeof AclPatternTypeSchema>;

export const AclPermissionSchema = z.enum(['allow', 'deny']);
export type AclPermission = z.infer<typeof AclPermissionSchema>;

/** `User:alice` style principal, as the broker's authorizer sees it. */
export const PrincipalSchema = z
  .string()
  .regex(/^[A-Za-z]+:.+$/, 'expected a principal such as "User:alice"')
  .describe("The principal as the brokers' authorizer sees it: `User:alice`, `User:CN=orders,O=acme` (mTLS).");

/**
 * Kafka has no glob in ACL names: `*` is a wildcard only as the whole literal name, and a prefixed name is
 * matched literally. `name: events-*` therefore matches nothing anyone meant (and was shown as `events-**`);
 * the fix is a prefixed pattern without the star.
 */
const AclResourceSchema = z
  .strictObject({
    type: AclResourceTypeSchema,
    name: z
      .string()
      .min(1)
      .describe('The resource name; `*` alone is every resource of the type. No globs: use `patternType: prefixed`.'),
    patternType: AclPatternTypeSchema.default('literal').describe(
      '`literal`: exactly `name`; `prefixed`: every name starting with `name`.',
    ),
  })
  .superRefine((resource, context) => {
    if (resource.name === '*' || !resource.name.endsWith('*')) return;
    const prefix = resource.name.replace(/\*+$/, '');
    context.addIssue({
      code: 'custom',
      path: ['name'],
      message:
        resource.patternType === 'prefixed'
          ? `"${resource.name}": a prefixed name is matched literally ("*" is not a wildcard); write name: "${prefix}" with patternType: prefixed to match every name starting with "${prefix}"`
          : `"${resource.name}": "*" is a wildcard only as the whole name; write name: "${prefix}" with patternType: prefixed to match every name starting with "${prefix}"`,
    });
  });

export const AclSpecSchema = z
  .strictObject({
    principal: PrincipalSchema,
    resource: AclResourceSchema,
    operations: z
      .array(AclOperationSchema)
      .min(1, 'list at least one operation')
      .describe('Each operation is one binding on the broker, so adding one never touches the others.'),
    permission: AclPermissionSchema.default('allow').describe('A `deny` binding wins over every `allow`.'),
    host: z.string().min(1).default('*').describe('The client host the binding applies to; `*` is any host.'),
  })
  .describe('Kafka ACL bindings: one principal, one resource (or prefix), one or more operations.');
export type AclSpec = z.infer<typeof AclSpecSchema>;

/**
 * One Kafka ACL binding: the unit the broker stores. An `Acl` document with several operations renders to
 * several bindings, so adding one operation never touches the others.
 */
export interface AclBinding {
  principal: string;
  host: string;
  resourceType: AclResourceType;
  resourceName: string;
  patternType: AclPatternType;
  operation: AclOperation;
  permission: AclPermission;
}
