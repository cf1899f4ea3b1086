import type { Json } from '../../model/common.ts';
import type { FieldChange } from '../../model/plan.ts';
import type { KindRules } from '../kind-rules.ts';

type QuotaSpec = { values: Record<string, number> };

/** A quota entity is owned whole by its document: a value removed from git is removed from the broker. */
export const quotaRules: KindRules = {
  diff({ desired, live }) {
    const want = (desired.spec as unknown as QuotaSpec).values;
    const have = (live.spec as unknown as QuotaSpec).values ?? {};
    const fields: FieldChange[] = [];
    for (const key of [...new Set([...Object.keys(want), ...Object.keys(have)])].sort()) {
      if (want[key] === have[key]) continue;
      fields.push({
        path: `values.${key}`,
        ...(have[key] !== undefined ? { before: have[key] as Json } : {}),
        ...(want[key] !== undefined ? { after: want[key] as Json } : { note: 'removed from git: quota value removed' }),
      });
    }
    return fields;
  },
};
