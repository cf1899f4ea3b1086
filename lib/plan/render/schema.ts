import type { Renderer } from './types.ts';

// Placeholder until the Schema kind is implemented: validates, renders nothing yet.
export const renderSchema: Renderer<'Schema'> = () => ({ resources: [], problems: [] });
