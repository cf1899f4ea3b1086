import { describeSecretRef, type SecretRef } from '../../model/common.ts';
import type { FieldChange } from '../../model/plan.ts';
import { canonicalJson } from '../canonical-json.ts';
import type { KindRules } from '../kind-rules.ts';

type UserDesired = { mechanism: string; iterations: number; password: SecretRef };
type UserLive = { mechanisms?: Record<string, number> };

const describeRef = (ref: SecretRef): string => `secret ${describeSecretRef(ref)}`;

/**
 * SCRAM users. The broker never reveals passwords, and plans never hold them: the password is "changed" when
 * its secret reference differs from the one last applied (recorded as a digest of the reference, not the value).
 */
export const userRules: KindRules = {
  diff({ desired, live, inventory }) {
    const want = desired.spec as unknown as UserDesired;
    const have = (live.spec as unknown as UserLive).mechanisms ?? {};
    const fields: FieldChange[] = [];
    const iterations = have[want.mechanism];
    if (iterations !== want.iterations) {
      fields.push({
        path: `credentials.${want.mechanism}.iterations`,
        ...(iterations !== undefined ? { before: iterations } : {}),
        after: want.iterations,
      });
    }
    const digest = canonicalJson(want.password);
    if (inventory?.secretDigest !== undefined && inventory.secretDigest !== digest) {
      fields.push({ path: 'password', before: 'set', after: `changed (${describeRef(want.password)})`, secret: true });
    }
    return fields;
  },

  createFields(desired) {
    const want = desired.spec as unknown as UserDesired;
    return [
      { path: 'mechanism', after: want.mechanism },
      { path: 'iterations', after: want.iterations },
      { path: 'password', after: `set from ${describeRef(want.password)}`, secret: true },
    ];
  },

  secretDigest(desired) {
    return canonicalJson((desired.spec as unknown as UserDesired).password);
  },

  exportSpec(live) {
    const mechanisms = (live.spec as unknown as UserLive).mechanisms ?? {};
    const [mechanism, iterations] = Object.entries(mechanisms)[0] ?? ['SCRAM-SHA-512', 8192];
    return {
      mechanism,
      iterations,
      password: {
        secretRef: { provider: 'env', name: `${live.name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_PASSWORD` },
      },
    };
  },
};
