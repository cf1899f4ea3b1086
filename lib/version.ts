/** Part of every plan hash: a new release re-plans rather than trusting plans made by an older one. */
export const TOOL_VERSION = '0.1.0';
