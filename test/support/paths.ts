import { join } from 'node:path';

/** The repository's root: where the CLI, the service scripts and the sample events are. */
export const ROOT = join(import.meta.dirname, '../..');

/** The scripts that start and stop the test services. */
export const SERVICES = join(ROOT, 'scripts/services');
