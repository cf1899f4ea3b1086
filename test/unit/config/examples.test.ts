import { describe, expect, it } from 'vitest';
import { loadConfig, validateConfig } from '../../../lib/config/load-config.ts';
import { monitorConfigOf } from '../../../lib/config/published-config.ts';
import { renderAndCheck } from '../../../lib/engine/plan-environment.ts';

const examples = new URL('../../../examples/kafka', import.meta.url).pathname;

describe('examples/kafka (the demo and the README)', () => {
  it('is valid in every environment, with no governance problems', async () => {
    expect(await validateConfig(examples)).toEqual([]);
    for (const environment of ['local', 'production']) {
      expect(renderAndCheck(await loadConfig(examples, environment)).problems).toEqual([]);
    }
  });

  it('publishes the audit topic sink everywhere and the signed webhook sink in production only', async () => {
    const sinks = async (environment: string) =>
      (monitorConfigOf(await loadConfig(examples, environment)).auditSinks ?? []).map((s) => s.name);
    expect(await sinks('local')).toEqual(['audit-topic']);
    expect(await sinks('production')).toEqual(['audit-topic', 'audit-webhook']);
  });
});
