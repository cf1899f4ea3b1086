import { AccessSpecSchema } from '../model/kinds/access.ts';
import { accessBindings } from '../plan/access/roles.ts';
import type { AccessExpander } from './types.ts';

/**
 * The bindings the access kind generates for a candidate Access spec (lib/plan/access/roles.ts), or none when
 * the spec is not valid (e.g. topic "*", which Access does not accept as a topic name): a candidate that
 * generates nothing is never kept, so the import writes raw ACLs instead of a document that would not validate.
 */
export const landscapeAccess: AccessExpander = (spec) => {
  const parsed = AccessSpecSchema.safeParse(spec);
  return parsed.success ? accessBindings(parsed.data, new Map()) : [];
};
