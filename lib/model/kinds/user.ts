import { z } from 'zod';
import { asJsonObject, isSecretRef, type JsonObject, type SecretRef, SecretRefSchema } from '../common.ts';

/** The SCRAM mechanisms Kafka supports, in the order plans and exports list them. */
export const SCRAM_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type ScramMechanism = (typeof SCRAM_MECHANISMS)[number];

const MechanismSchema = z.enum(SCRAM_MECHANISMS);
const IterationsSchema = z.int().min(4096, 'Kafka requires at least 4096 iterations').max(16384);
const DEFAULT_MECHANISM: ScramMechanism = 'SCRAM-SHA-512';
const DEFAULT_ITERATIONS = 8192;

/** One SCRAM credential of a user: its mechanism, the password (a secret reference only) and the iterations. */
export const ScramCredentialSpecSchema = z.strictObject({
  mechanism: MechanismSchema,
  password: SecretRefSchema,
  iterations: IterationsSchema.default(DEFAULT_ITERATIONS).describe('SCRAM iterations (4096 to 16384).'),
});
export type ScramCredentialSpec = z.infer<typeof ScramCredentialSpecSchema>;

/**
 * A SCRAM user: exactly the credentials declared, one per mechanism. Either the single-credential form
 * (`mechanism`, `password`, `iterations`) or a list (`scram: [{ mechanism, password, iterations? }]`); both
 * parse to the list, sorted by mechanism, so the two spellings of one user plan identically. Any credential
 * the user has live under another mechanism is drift and is removed by apply. The password is only ever a
 * secret reference; plans show "changed"/"unchanged".
 */
export const UserSpecSchema = z
  .strictObject({
    mechanism: MechanismSchema.optional().describe(
      `The user's one SCRAM mechanism (default ${DEFAULT_MECHANISM}); for several, list them under \`scram\`.`,
    ),
    password: SecretRefSchema.optional().describe('Required unless `scram` lists the credentials.'),
    iterations: IterationsSchema.optional().describe(`SCRAM iterations (default ${DEFAULT_ITERATIONS}).`),
    scram: z
      .array(ScramCredentialSpecSchema)
      .min(1, 'list at least one credential')
      .optional()
      .describe('One credential per mechanism, instead of `mechanism`/`password`/`iterations`.'),
  })
  .superRefine((spec, ctx) => {
    if (spec.scram === undefined) {
      if (spec.password === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['password'],
          message: 'is required (a secret reference), or list the credentials under "scram"',
          input: spec,
        });
      }
      return;
    }
    for (const field of ['mechanism', 'password', 'iterations'] as const) {
      if (spec[field] === undefined) continue;
      ctx.addIssue({
        code: 'custom',
        path: [field],
        message: `"${field}" goes inside each entry of "scram" when "scram" lists the credentials`,
        input: spec[field],
      });
    }
    const seen = new Set<string>();
    spec.scram.forEach((credential, index) => {
      if (seen.has(credential.mechanism)) {
        ctx.addIssue({
          code: 'custom',
          path: ['scram', index, 'mechanism'],
          message: `${credential.mechanism} is listed twice: a user has one credential per mechanism`,
          input: credential.mechanism,
        });
      }
      seen.add(credential.mechanism);
    });
  })
  .transform((spec): { scram: ScramCredentialSpec[] } => {
    const list: ScramCredentialSpec[] =
      spec.scram ??
      (spec.password
        ? [
            {
              mechanism: spec.mechanism ?? DEFAULT_MECHANISM,
              password: spec.password,
              iterations: spec.iterations ?? DEFAULT_ITERATIONS,
            },
          ]
        : []);
    return {
      scram: [...list].sort((a, b) => SCRAM_MECHANISMS.indexOf(a.mechanism) - SCRAM_MECHANISMS.indexOf(b.mechanism)),
    };
  })
  .describe(
    'A SCRAM user (`metadata.name` is the user name): exactly the credentials declared, one per mechanism. Passwords are secret references only; plans show "changed" or "unchanged".',
  );
export type UserSpec = z.infer<typeof UserSpecSchema>;

/** One credential as a rendered (desired) User spec holds it: `credentials.<mechanism>`. */
export interface DesiredScramCredential {
  iterations: number;
  password: SecretRef;
}

/**
 * The rendered spec of a User: `{ credentials: { 'SCRAM-SHA-512': { iterations, password } } }`, one entry per
 * declared mechanism. This is what plans store and apply reads.
 */
export function desiredUserSpec(spec: UserSpec): JsonObject {
  const credentials: JsonObject = {};
  for (const credential of spec.scram) {
    credentials[credential.mechanism] = {
      iterations: credential.iterations,
      password: asJsonObject(credential.password),
    };
  }
  return { credentials };
}

/**
 * Reads the declared credentials back from a rendered User spec, by mechanism. Also reads the spec of plans
 * stored before users could have several mechanisms (`{ mechanism, iterations, password }`), so such a plan
 * still applies. Entries that are not well formed are left out (apply reports the user as invalid).
 */
export function desiredCredentialsOf(spec: JsonObject | undefined): Map<ScramMechanism, DesiredScramCredential> {
  const found = new Map<ScramMechanism, DesiredScramCredential>();
  if (!spec) return found;
  const take = (mechanism: unknown, value: unknown) => {
    if (!isScramMechanism(mechanism) || typeof value !== 'object' || value === null) return;
    const { iterations, password } = value as { iterations?: unknown; password?: unknown };
    if (typeof iterations !== 'number' || !isSecretRef(password)) return;
    found.set(mechanism, { iterations, password });
  };
  const credentials = spec.credentials;
  if (typeof credentials === 'object' && credentials !== null && !Array.isArray(credentials)) {
    for (const mechanism of SCRAM_MECHANISMS)
      if (credentials[mechanism] !== undefined) take(mechanism, credentials[mechanism]);
  } else if (spec.mechanism !== undefined) {
    take(spec.mechanism, spec);
  }
  return found;
}

export function isScramMechanism(value: unknown): value is ScramMechanism {
  return typeof value === 'string' && (SCRAM_MECHANISMS as readonly string[]).includes(value);
}
