import { z } from 'zod';

/** The only config apiVersion this release reads. */
export const CONFIG_API_VERSION = 'landscape.dev/v1';

/** Kubernetes-style names: what Kafka accepts for topics is wider, so topics check their own names. */
export const NameSchema = z.string().min(1, 'must not be empty').max(249, 'must be at most 249 characters');

export const LabelsSchema = z.record(z.string(), z.string());

export const MetadataSchema = z.strictObject({
  name: NameSchema.describe(
    'The name of the document, unique per kind. For Topic, User and Connector it is the name on the platform; for Schema the subject unless `spec.subject` is set.',
  ),
  labels: LabelsSchema.optional().describe('Free-form labels (Policy `requiredLabels` checks them).'),
  annotations: LabelsSchema.optional().describe('Free-form notes; Landscape does not read them.'),
  environments: z
    .array(z.string().min(1))
    .optional()
    .describe('Restricts the document to these environments (Environment names); absent means every environment.'),
});
export type Metadata = z.infer<typeof MetadataSchema>;

export const SecretProviderNameSchema = z.enum(['aws-secretsmanager', 'env', 'file']);
export type SecretProviderName = z.infer<typeof SecretProviderNameSchema>;

/**
 * A reference to a secret; the value is read only inside the apply step and never stored in a plan.
 * `key` picks a field when the secret is a JSON object (Secrets Manager) or a `KEY=value` file.
 */
export const SecretRefSchema = z
  .strictObject({
    secretRef: z.strictObject({
      provider: SecretProviderNameSchema.describe(
        'Where the secret lives: `aws-secretsmanager` (a secret name or ARN), `env` (an environment variable of the process that applies) or `file` (a file path; the AWS functions read no files).',
      ),
      name: z
        .string()
        .min(1)
        .describe(
          "The secret name or ARN, environment variable or file path. The AWS functions read only Secrets Manager names under the stack's `secretsPrefix` and the environment (`landscape/<environment>/…` by default) and variables named `LANDSCAPE_SECRET_*`.",
        ),
      key: z
        .string()
        .min(1)
        .optional()
        .describe('One field of a JSON secret (Secrets Manager) or one `KEY=value` line of a file.'),
    }),
  })
  .meta({
    id: 'SecretRef',
    description:
      'A reference to a secret: its value is read only where Landscape needs it (to connect, to apply), never written to a plan, log, error or file.',
  });
export type SecretRef = z.infer<typeof SecretRefSchema>;

/** `provider/name[#key]`: how a reference is named in plans, errors and logs (never the value). */
export function describeSecretRef(ref: SecretRef): string {
  const { provider, name, key } = ref.secretRef;
  return `${provider}/${name}${key ? `#${key}` : ''}`;
}

/** A URL given in git, or a reference to one (a Slack or SIEM URL that embeds its own credential). */
export const UrlOrSecretSchema = z.union([z.url(), SecretRefSchema]);

export function isSecretRef(value: unknown): value is SecretRef {
  return typeof value === 'object' && value !== null && 'secretRef' in value;
}

/** Every secret reference anywhere in `value` (documents of a config), in document order. */
export function collectSecretRefs(value: unknown, into: SecretRef[] = []): SecretRef[] {
  if (Array.isArray(value)) {
    for (const item of value) collectSecretRefs(item, into);
  } else if (typeof value === 'object' && value !== null) {
    const ref = (value as { secretRef?: unknown }).secretRef;
    if (typeof ref === 'object' && ref !== null && typeof (ref as { name?: unknown }).name === 'string') {
      into.push(value as SecretRef);
      return into;
    }
    for (const item of Object.values(value)) collectSecretRefs(item, into);
  }
  return into;
}

/** Durations as users write them: `30s`, `5m`, `2h`, `1d`. */
export const DurationSchema = z
  .string()
  .regex(/^\d+(ms|s|m|h|d)$/, 'expected a duration such as "30s", "5m", "2h" or "1d"');

export function durationToMs(duration: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(duration);
  if (!match) throw new Error(`not a duration: "${duration}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/** JSON values as stored in plans. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Views a parsed (zod) object as JSON: parsed config never holds undefined values, functions or cycles. */
export function asJsonObject(value: object): JsonObject {
  return value as JsonObject;
}

/** PEM text or other non-secret text given inline, or a secret reference to it. */
export const SecretOrStringSchema = z.union([z.string(), SecretRefSchema]);
