import { describeSecretRef, isSecretRef, type JsonObject, type SecretRef } from '../../model/common.ts';
import { keys } from '../../model/keys.ts';
import {
  desiredCredentialsOf,
  desiredUserSpec,
  SCRAM_MECHANISMS,
  type ScramMechanism,
} from '../../model/kinds/user.ts';
import type { FieldChange } from '../../model/plan.ts';
import type { InventoryEntry } from '../../model/resource.ts';
import { canonicalJson } from '../canonical-json.ts';
import type { KindRules } from '../kind-rules.ts';
import { exportEach } from './export-names.ts';
import type { DocumentKindModule, Renderer, ResourceKindModule } from './kind-module.ts';

type UserLive = { mechanisms?: Record<string, number> };

const describeRef = (ref: SecretRef): string => `secret ${describeSecretRef(ref)}`;

/**
 * What the inventory records about a user's passwords: the secret reference applied per mechanism, never a
 * value. One credential keeps the form used before users could have several (the bare reference), so users
 * applied by an older version do not all show "password changed".
 */
function passwordRecord(credentials: ReadonlyMap<ScramMechanism, { password: SecretRef }>): string | undefined {
  const entries = [...credentials.entries()];
  if (entries.length === 0) return undefined;
  if (entries.length === 1) return canonicalJson((entries[0] as [ScramMechanism, { password: SecretRef }])[1].password);
  return canonicalJson(Object.fromEntries(entries.map(([mechanism, c]) => [mechanism, c.password])));
}

/**
 * The secret reference last applied for each mechanism, read back from the inventory. A bare reference (one
 * credential) stands for whichever mechanism the user had; it is returned under every mechanism.
 */
export function appliedPasswordRefs(entry: InventoryEntry | undefined): Map<ScramMechanism, SecretRef> {
  const refs = new Map<ScramMechanism, SecretRef>();
  if (entry?.secretDigest === undefined) return refs;
  let recorded: unknown;
  try {
    recorded = JSON.parse(entry.secretDigest);
  } catch {
    return refs;
  }
  if (isSecretRef(recorded)) {
    for (const mechanism of SCRAM_MECHANISMS) refs.set(mechanism, recorded);
  } else if (typeof recorded === 'object' && recorded !== null) {
    for (const mechanism of SCRAM_MECHANISMS) {
      const ref = (recorded as Record<string, unknown>)[mechanism];
      if (isSecretRef(ref)) refs.set(mechanism, ref);
    }
  }
  return refs;
}

/** The secret reference export writes for a user whose applied reference is unknown. */
function placeholderRef(name: string): SecretRef {
  return { secretRef: { provider: 'env', name: `${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_PASSWORD` } };
}

/**
 * SCRAM users: a managed user's credentials are exactly those declared, one per mechanism. A mechanism live
 * but not declared (added out of band) is drift and is removed; a declared one missing live is created. The
 * broker never reveals passwords, and plans never hold them: a password is "changed" when its secret
 * reference differs from the one last applied (the inventory records the reference, not the value).
 */
export const userRules: KindRules = {
  diff({ desired, live, inventory }) {
    const want = desiredCredentialsOf(desired.spec);
    const have = (live.spec as unknown as UserLive).mechanisms ?? {};
    const applied = appliedPasswordRefs(inventory);
    const fields: FieldChange[] = [];
    for (const mechanism of SCRAM_MECHANISMS) {
      const wanted = want.get(mechanism);
      const iterations = have[mechanism];
      const path = `credentials.${mechanism}`;
      if (wanted === undefined) {
        if (iterations !== undefined) {
          fields.push({
            path: `${path}.iterations`,
            before: iterations,
            note: `${mechanism} is not declared in git: this credential is deleted (clients logging in with it are refused)`,
          });
        }
        continue;
      }
      if (iterations === undefined) {
        fields.push({ path: `${path}.iterations`, after: wanted.iterations });
        fields.push({
          path: `${path}.password`,
          after: `set from ${describeRef(wanted.password)}`,
          secret: true,
        });
        continue;
      }
      if (iterations !== wanted.iterations) {
        fields.push({ path: `${path}.iterations`, before: iterations, after: wanted.iterations });
      }
      const was = applied.get(mechanism);
      if (was !== undefined && canonicalJson(was) !== canonicalJson(wanted.password)) {
        fields.push({
          path: `${path}.password`,
          before: 'set',
          after: `changed (${describeRef(wanted.password)})`,
          secret: true,
        });
      }
    }
    return fields;
  },

  createFields(desired) {
    const fields: FieldChange[] = [];
    for (const [mechanism, credential] of desiredCredentialsOf(desired.spec)) {
      fields.push({ path: `credentials.${mechanism}.iterations`, after: credential.iterations });
      fields.push({
        path: `credentials.${mechanism}.password`,
        after: `set from ${describeRef(credential.password)}`,
        secret: true,
      });
    }
    return fields;
  },

  secretDigest(desired) {
    return passwordRecord(desiredCredentialsOf(desired.spec));
  },

  exportSpec(live, inventory) {
    const mechanisms = (live.spec as unknown as UserLive).mechanisms ?? {};
    const applied = appliedPasswordRefs(inventory);
    const credentials = SCRAM_MECHANISMS.filter((m) => mechanisms[m] !== undefined).map((mechanism) => ({
      mechanism,
      // The reference last applied, when Landscape applied this user: re-planning the export then changes
      // nothing. Otherwise a placeholder the operator points at the real secret.
      password: applied.get(mechanism) ?? placeholderRef(live.name),
      iterations: mechanisms[mechanism] as number,
    }));
    const [only] = credentials;
    if (credentials.length > 1) return { scram: credentials } as unknown as JsonObject;
    return (only ?? {
      mechanism: 'SCRAM-SHA-512',
      password: placeholderRef(live.name),
      iterations: 8192,
    }) as unknown as JsonObject;
  },
};

export const renderUser: Renderer<'User'> = (doc) => ({
  resources: [
    {
      key: keys.user(doc.metadata.name),
      kind: 'User',
      name: doc.metadata.name,
      spec: desiredUserSpec(doc.spec),
      source: doc.source,
    },
  ],
  problems: [],
});

export const userDocument: DocumentKindModule<'User'> = { kind: 'User', role: 'resource', render: renderUser };

export const userKind: ResourceKindModule<'User'> = {
  kind: 'User',
  wave: 2,
  rules: userRules,
  export: { file: 'users.yaml', document: 'User', toDocuments: exportEach('User', userRules) },
};
