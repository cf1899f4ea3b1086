import type { ConfigProblem } from '../../errors.ts';
import type { ConfigDocument, Kind, LoadedConfig } from '../../model/documents.ts';
import type { DesiredResource } from '../../model/resource.ts';

export interface RenderResult {
  resources: DesiredResource[];
  problems: ConfigProblem[];
}

/** Turns one validated document into desired resources. Pure: files were read by the loader. */
export type Renderer<K extends Kind> = (doc: ConfigDocument<K>, config: LoadedConfig) => RenderResult;

export const nothing = (): RenderResult => ({ resources: [], problems: [] });
