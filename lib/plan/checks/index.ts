import { checkAppSql } from './app-sql.ts';
import type { ConfigCheck } from './types.ts';

/** Every plan-time check, in the order their findings are listed. Governance checks register here. */
export const CONFIG_CHECKS: ConfigCheck[] = [checkAppSql];
