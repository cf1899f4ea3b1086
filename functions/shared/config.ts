import { z } from 'zod';

/**
 * Every environment variable the functions read, parsed with zod once per cold start (STYLE.md section 6).
 * Each function has its own schema; a missing required value fails the cold start with a message naming it.
 */

const list = z
  .string()
  .default('')
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );

const json = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);

/** Where state lives: `aws` (S3 + DynamoDB) in the cloud, `file` (a directory) for local runs and tests. */
const StoreConfigSchema = z.discriminatedUnion('LANDSCAPE_STORE', [
  z.object({
    LANDSCAPE_STORE: z.literal('aws'),
    STATE_BUCKET: z.string().min(1),
    STATE_TABLE: z.string().min(1),
  }),
  z.object({ LANDSCAPE_STORE: z.literal('file'), STATE_DIR: z.string().min(1) }),
]);

const BaseSchema = z.object({
  LANDSCAPE_STORE: z.enum(['aws', 'file']).default('aws'),
  POWERTOOLS_SERVICE_NAME: z.string().default('landscape'),
  /** GitHub token for reports and tarballs: directly (local) or the id of a Secrets Manager secret. */
  GITHUB_TOKEN: z.string().optional(),
  GITHUB_TOKEN_SECRET_ID: z.string().optional(),
  GITHUB_API_URL: z.url().optional(),
  /** `github` (REST tarball by SHA) or `git` (git CLI over smart HTTP, needs a git binary). */
  GIT_SOURCE: z.enum(['github', 'git']).default('github'),
  GIT_BASE_URL: z.string().optional(),
  GIT_URLS: json(z.record(z.string(), z.string())).optional(),
  GIT_CACHE_DIR: z.string().default('/tmp/landscape-git'),
  DEFAULT_REPO: z.string().optional(),
  PUBLIC_URL: z.url().optional(),
  LOCK_TTL_SECONDS: z.coerce.number().int().positive().default(900),
  LOCK_WAIT_MS: z.coerce.number().int().nonnegative().default(60_000),
});

export const WebhookConfigSchema = BaseSchema.extend({
  /** The webhook secret, or the id of a Secrets Manager secret holding it: one of them is mandatory. */
  GITHUB_WEBHOOK_SECRET: z.string().min(16).optional(),
  GITHUB_WEBHOOK_SECRET_ID: z.string().min(1).optional(),
  /** `owner/name` or `owner/*`, comma-separated: deliveries from anything else are refused (403). */
  ALLOWED_REPOSITORIES: list.pipe(z.array(z.string()).min(1, 'name at least one repository')),
  /** Branches considered for pushes and PR bases; empty = every branch an Environment names. */
  ALLOWED_BRANCHES: list,
  /** The function that runs plan jobs (the apply function, in the VPC: ADR 0010). */
  WORKER_FUNCTION_NAME: z.string().min(1).optional(),
  DEDUPE_TTL_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(7 * 24 * 3600),
}).refine((c) => c.GITHUB_WEBHOOK_SECRET || c.GITHUB_WEBHOOK_SECRET_ID, {
  message: 'GITHUB_WEBHOOK_SECRET or GITHUB_WEBHOOK_SECRET_ID is required: unsigned webhooks are never accepted',
  path: ['GITHUB_WEBHOOK_SECRET'],
});
export type WebhookConfig = z.infer<typeof WebhookConfigSchema>;

export const WorkerConfigSchema = BaseSchema.extend({
  /** This function's own name: plans it makes are applied by invoking it again asynchronously. */
  APPLY_FUNCTION_NAME: z.string().min(1).optional(),
});
export type WorkerConfig = z.infer<typeof WorkerConfigSchema>;

export const DriftConfigSchema = WorkerConfigSchema.extend({
  /** Environments checked when the schedule event names none. */
  DRIFT_ENVIRONMENTS: list,
});
export type DriftConfig = z.infer<typeof DriftConfigSchema>;

export const ApiConfigSchema = WorkerConfigSchema.extend({
  WORKER_FUNCTION_NAME: z.string().min(1).optional(),
  /** `iam`: trust the API Gateway IAM authorizer context; `bearer`: compare with API_TOKEN (local). */
  API_AUTH: z.enum(['iam', 'bearer']).default('iam'),
  API_TOKEN: z.string().min(16).optional(),
}).refine((c) => c.API_AUTH !== 'bearer' || c.API_TOKEN, {
  message: 'API_TOKEN is required when API_AUTH is "bearer"',
  path: ['API_TOKEN'],
});
export type ApiConfig = z.infer<typeof ApiConfigSchema>;

export type StoreConfig = z.infer<typeof StoreConfigSchema>;

/** Parses `env` with `schema`, plus the store settings; throws one readable error listing every problem. */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> & { store: StoreConfig } {
  const result = schema.safeParse(env);
  const store = StoreConfigSchema.safeParse({ LANDSCAPE_STORE: 'aws', ...env });
  const issues = [...(result.success ? [] : result.error.issues), ...(store.success ? [] : store.error.issues)];
  if (!result.success || !store.success) {
    const lines = issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new Error(`invalid function configuration:\n${lines.join('\n')}`);
  }
  return Object.assign({}, result.data as object, { store: store.data }) as z.infer<S> & { store: StoreConfig };
}
