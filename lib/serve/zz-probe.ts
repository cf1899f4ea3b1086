import { runApply } from '../engine/run-apply.ts'; export const x = runApply;
