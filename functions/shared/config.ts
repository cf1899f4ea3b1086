// The English locale only: `zod/locales` would bundle every language (~200 KiB of the webhook bundle).

import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// zod/mini ships no messages by default: English ones, so a bad setting says what was expected.
z.config(en());

/**
 * Every environment variable the functions read, parsed with zod once per cold start (STYLE.md section 6).
 * Each function has its own schema; a missing required value fails the cold start with a message naming it.
 * `zod/mini`: the same validation in ~15 KiB instead of ~440 KiB of the webhook bundle (bench/bundles.ts).
 */

const list = z.pipe(
  z._default(z.string(), ''),
  z.transform((s: string) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  ),
);

const jsonRecord = z.pipe(
  z.string(),
  z.transform((text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      return 'not JSON';
    }
  }),
);

const positiveInt = (fallback: number) => z._default(z.coerce.number().check(z.int(), z.positive()), fallback);

/** Where state lives: `aws` (S3 + DynamoDB) in the cloud, `file` (a directory) for local runs and tests. */
const StoreConfigSchema = z.discriminatedUnion('LANDSCAPE_STORE', [
  z.object({
    LANDSCAPE_STORE: z.literal('aws'),
    STATE_BUCKET: z.string().check(z.minLength(1)),
    STATE_TABLE: z.string().check(z.minLength(1)),
    /** KMS key for plan bodies in S3 (SSE-KMS); the bucket default applies when absent. */
    STATE_KMS_KEY_ID: z.optional(z.string().check(z.minLength(1))),
    /**
     * The audit bucket (S3 Object Lock, ADR 0020): audit records are written there, once each, never
     * replaced. Absent: they stay in the state table (local emulators, deployments from before the bucket).
     */
    AUDIT_BUCKET: z.optional(z.string().check(z.minLength(1))),
  }),
  z.object({ LANDSCAPE_STORE: z.literal('file'), STATE_DIR: z.string().check(z.minLength(1)) }),
]);

/**
 * The webhook's store: the state table only (replay memory, job and pull-request values). It is given no
 * bucket, so a compromised webhook has no S3 to write plans into (issue 14, contract 4).
 */
const TableOnlyStoreConfigSchema = z.discriminatedUnion('LANDSCAPE_STORE', [
  z.object({ LANDSCAPE_STORE: z.literal('aws'), STATE_TABLE: z.string().check(z.minLength(1)) }),
  z.object({ LANDSCAPE_STORE: z.literal('file'), STATE_DIR: z.string().check(z.minLength(1)) }),
]);

const coreShape = {
  LANDSCAPE_STORE: z._default(z.enum(['aws', 'file']), 'aws'),
  POWERTOOLS_SERVICE_NAME: z._default(z.string(), 'landscape'),
};

const baseShape = {
  ...coreShape,
  /**
   * GitHub token for reports and tarballs: directly (local) or the id of a Secrets Manager secret. A secret
   * that is empty or holds `landscape:unset` means "not configured yet": reports are skipped, with a reason.
   */
  GITHUB_TOKEN: z.optional(z.string()),
  GITHUB_TOKEN_SECRET_ID: z.optional(z.string()),
  GITHUB_API_URL: z.optional(z.url()),
  /**
   * Secrets Manager names a config may reference (the stack's `secretsPrefix`): an environment's config may
   * only name `<prefix><environment>/…`.
   */
  PLATFORM_SECRETS_PREFIX: z._default(z.string().check(z.minLength(1)), 'landscape/'),
  /**
   * The role platform secrets are read through, assumed per environment with the session tag
   * `landscape-environment=<environment>` (its policy allows `<prefix>${PrincipalTag}/*` only). Absent: the
   * function's own credentials (local, tests).
   */
  SECRETS_READER_ROLE_ARN: z.optional(z.string().check(z.minLength(1))),
  /**
   * GitHub App authentication (instead of a token): the app id, the installation id on the organization that
   * owns the config repositories, and the app's private key (PEM) directly (local) or by Secrets Manager id.
   * Installation tokens are minted and refreshed by the client; they expire after an hour.
   */
  GITHUB_APP_ID: z.optional(z.string().check(z.regex(/^\d+$/, 'a numeric GitHub App id'))),
  GITHUB_APP_INSTALLATION_ID: z.optional(z.string().check(z.regex(/^\d+$/, 'a numeric installation id'))),
  GITHUB_APP_PRIVATE_KEY: z.optional(z.string()),
  GITHUB_APP_PRIVATE_KEY_SECRET_ID: z.optional(z.string()),
  /** `github` (REST tarball by SHA) or `git` (git CLI over smart HTTP, needs a git binary). */
  GIT_SOURCE: z._default(z.enum(['github', 'git']), 'github'),
  GIT_BASE_URL: z.optional(z.string()),
  /** JSON object `{"owner/name": "clone URL"}`. */
  GIT_URLS: z.optional(z.pipe(jsonRecord, z.record(z.string(), z.string()))),
  GIT_CACHE_DIR: z._default(z.string(), '/tmp/landscape-git'),
  DEFAULT_REPO: z.optional(z.string()),
  PUBLIC_URL: z.optional(z.url()),
  LOCK_TTL_SECONDS: positiveInt(900),
  LOCK_WAIT_MS: z._default(z.coerce.number().check(z.int(), z.nonnegative()), 60_000),
};

/**
 * The webhook reads only its own signing secret: no GitHub credentials, no platform secrets, no bucket
 * (issue 14, contract 4: least privilege for the internet-facing function).
 */
export const WebhookConfigSchema = z
  .object({
    ...coreShape,
    /** The webhook secret, or the id of a Secrets Manager secret holding it: one of them is mandatory. */
    GITHUB_WEBHOOK_SECRET: z.optional(z.string().check(z.minLength(16))),
    GITHUB_WEBHOOK_SECRET_ID: z.optional(z.string().check(z.minLength(1))),
    /** `owner/name` or `owner/*`, comma-separated: deliveries from anything else are refused (403). */
    ALLOWED_REPOSITORIES: z.pipe(list, z.array(z.string()).check(z.minLength(1, 'name at least one repository'))),
    /** Branches considered for pushes and PR bases; empty = every branch an Environment names. */
    ALLOWED_BRANCHES: list,
    /** The function that runs plan jobs (the apply function, in the VPC: ADR 0010). */
    WORKER_FUNCTION_NAME: z.optional(z.string().check(z.minLength(1))),
    DEDUPE_TTL_SECONDS: positiveInt(7 * 24 * 3600),
  })
  .check(
    z.refine((c) => Boolean(c.GITHUB_WEBHOOK_SECRET || c.GITHUB_WEBHOOK_SECRET_ID), {
      message: 'GITHUB_WEBHOOK_SECRET or GITHUB_WEBHOOK_SECRET_ID is required: unsigned webhooks are never accepted',
      path: ['GITHUB_WEBHOOK_SECRET'],
    }),
  );
export type WebhookConfig = z.infer<typeof WebhookConfigSchema>;

/** The webhook's settings and its table-only store. */
export const parseWebhookConfig = (env: NodeJS.ProcessEnv = process.env) =>
  parseConfig(WebhookConfigSchema, env, { tableOnly: true });

const workerShape = {
  ...baseShape,
  /** The webhook's branch allowlist: checked again for every environment a job plans (its `spec.branch`). */
  ALLOWED_BRANCHES: list,
  /** The worker function (ADR 0010): it applies plans and runs plan jobs; the worker itself re-invokes itself. */
  WORKER_FUNCTION_NAME: z.optional(z.string().check(z.minLength(1))),
};

export const WorkerConfigSchema = z.object(workerShape);
export type WorkerConfig = z.infer<typeof WorkerConfigSchema>;

export const DriftConfigSchema = z.object({
  ...workerShape,
  /** Environments checked when the schedule event names none. */
  DRIFT_ENVIRONMENTS: list,
});
export type DriftConfig = z.infer<typeof DriftConfigSchema>;

export const ApiConfigSchema = z
  .object({
    ...workerShape,
    /** `iam`: trust the API Gateway IAM authorizer context; `bearer`: compare with API_TOKEN (local). */
    API_AUTH: z._default(z.enum(['iam', 'bearer']), 'iam'),
    API_TOKEN: z.optional(z.string().check(z.minLength(16))),
  })
  .check(
    z.refine((c) => c.API_AUTH !== 'bearer' || Boolean(c.API_TOKEN), {
      message: 'API_TOKEN is required when API_AUTH is "bearer"',
      path: ['API_TOKEN'],
    }),
  );
export type ApiConfig = z.infer<typeof ApiConfigSchema>;

export type StoreConfig = z.infer<typeof StoreConfigSchema> | z.infer<typeof TableOnlyStoreConfigSchema>;

/**
 * Parses `env` with `schema`, plus the store settings; throws one readable error listing every problem.
 * `tableOnly`: the store needs the table but no bucket (the webhook).
 */
export function parseConfig<S extends z.ZodMiniType>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
  options: { tableOnly?: boolean } = {},
): z.infer<S> & { store: StoreConfig } {
  const result = schema.safeParse(env);
  const storeSchema = options.tableOnly ? TableOnlyStoreConfigSchema : StoreConfigSchema;
  const store = storeSchema.safeParse({ LANDSCAPE_STORE: 'aws', ...env });
  const issues = [...(result.success ? [] : result.error.issues), ...(store.success ? [] : store.error.issues)];
  if (!result.success || !store.success) {
    const lines = issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new Error(`invalid function configuration:\n${lines.join('\n')}`);
  }
  return Object.assign({}, result.data as object, { store: store.data }) as z.infer<S> & { store: StoreConfig };
}
