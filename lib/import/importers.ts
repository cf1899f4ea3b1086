import { jikkouImporter } from './jikkou.ts';
import { julieOpsImporter } from './julieops.ts';
import { kafkaGitopsImporter } from './kafka-gitops.ts';
import { strimziImporter } from './strimzi.ts';
import { terraformStateImporter } from './terraform-state.ts';
import type { Importer } from './types.ts';

/** Every tool `landscape import --from TOOL` reads, by its name on the command line. */
export const IMPORTERS: ReadonlyMap<string, Importer> = new Map(
  [kafkaGitopsImporter, strimziImporter, julieOpsImporter, terraformStateImporter, jikkouImporter].map((importer) => [
    importer.tool,
    importer,
  ]),
);
