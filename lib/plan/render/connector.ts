import type { Renderer } from './types.ts';

// Placeholder until the Connector kind is implemented: validates, renders nothing yet.
export const renderConnector: Renderer<'Connector'> = () => ({ resources: [], problems: [] });
