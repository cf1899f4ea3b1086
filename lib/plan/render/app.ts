import type { Renderer } from './types.ts';

// Placeholder until the App kind is implemented: validates, renders nothing yet.
export const renderApp: Renderer<'App'> = () => ({ resources: [], problems: [] });
