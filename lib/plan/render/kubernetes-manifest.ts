import type { Renderer } from './types.ts';

// Placeholder until the KubernetesManifest kind is implemented: validates, renders nothing yet.
export const renderKubernetesManifest: Renderer<'KubernetesManifest'> = () => ({ resources: [], problems: [] });
