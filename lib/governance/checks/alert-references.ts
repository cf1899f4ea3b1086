import type { ConfigProblem } from '../../errors.ts';
import type { ConfigDocument } from '../../model/documents.ts';
import { didYouMean } from '../../model/suggest.ts';
import type { ConfigCheck } from './types.ts';

/**
 * AlertRules and the Environment's drift settings name Channels; a misspelt name would only show when the
 * alert fires and nobody hears it. Checked at plan time instead: an unknown channel is an error at its line.
 */
export const checkAlertReferences: ConfigCheck = (config) => {
  const channels = new Set(config.documents.filter((d) => d.kind === 'Channel').map((d) => d.metadata.name));
  const problems: ConfigProblem[] = [];
  const unknown = (doc: ConfigDocument, path: (string | number)[], name: string): ConfigProblem => {
    const hint = didYouMean(name, channels);
    return {
      ...doc.locate(path),
      resource: `${doc.kind} "${doc.metadata.name}"`,
      field: path.join('.').replace(/\.(\d+)(?=\.|$)/g, '[$1]'),
      message: `no Channel named "${name}"`,
      hint: hint ?? (channels.size > 0 ? `known channels: ${[...channels].sort().join(', ')}` : 'declare a Channel'),
      severity: 'error',
    };
  };
  for (const doc of config.documents) {
    if (doc.kind !== 'AlertRule') continue;
    const rule = doc as ConfigDocument<'AlertRule'>;
    rule.spec.channels.forEach((name, index) => {
      if (!channels.has(name)) problems.push(unknown(rule, ['spec', 'channels', index], name));
    });
  }
  const environment = config.environment;
  environment.spec.drift.channels.forEach((name, index) => {
    if (!channels.has(name)) problems.push(unknown(environment, ['spec', 'drift', 'channels', index], name));
  });
  return { problems, notes: [] };
};
