import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { validateCommand } from '../../../lib/cli/validate-command.ts';
import { validateConfig } from '../../../lib/config/load-config.ts';
import { TopicSpecSchema } from '../../../lib/model/kinds/topic.ts';
import { configDir, ENVIRONMENT_YAML, topicYaml } from '../../support/builders.ts';

/**
 * The work validate does, counted rather than timed: how often files are parsed and documents validated.
 * 1,000 environments x 1,000 topics took more than 300 s when every environment parsed every file again.
 */
const parsed = vi.hoisted(() => ({ options: [] as unknown[] }));
vi.mock('yaml', async (importOriginal) => {
  const yaml = await importOriginal<typeof import('yaml')>();
  return {
    ...yaml,
    parseAllDocuments: (...args: Parameters<typeof yaml.parseAllDocuments>) => {
      parsed.options.push(args[1]);
      return yaml.parseAllDocuments(...args);
    },
  };
});

const ENVIRONMENTS = 30;
const TOPICS = 20;
/** Topics with an overlay, each for one environment. */
const OVERLAID = [0, 7, 13];

async function landscape(): Promise<string> {
  const environments = Array.from({ length: ENVIRONMENTS }, (_, i) =>
    ENVIRONMENT_YAML.replace('name: test', `name: env-${i}`),
  ).join('---\n');
  const files: Record<string, string> = { 'environments.yaml': environments };
  for (let i = 0; i < TOPICS; i++) {
    const overlay = OVERLAID.includes(i) ? `overlays:\n  env-${i}: { spec: { partitions: 2 } }\n` : '';
    files[`topics/t${i}.yaml`] = `${topicYaml(`t${i}`, '{ partitions: 1, replicationFactor: 1 }')}${overlay}`;
  }
  return configDir(files);
}

describe('validate work', () => {
  let topicValidations: MockInstance;
  beforeEach(() => {
    parsed.options.length = 0;
    topicValidations = vi.spyOn(TopicSpecSchema, 'safeParse');
  });
  afterEach(() => {
    topicValidations.mockRestore();
  });

  it('parses each file once and validates each document once plus once per overlay, whatever the environments', async () => {
    const dir = await landscape();
    expect(await validateConfig(dir)).toEqual([]);
    expect(parsed.options).toHaveLength(1 + TOPICS);
    expect(topicValidations).toHaveBeenCalledTimes(TOPICS + OVERLAID.length);
  });

  it('parses each file once for `landscape validate` too (validation, rendering and checks)', async () => {
    const dir = await landscape();
    const write = vi.spyOn(process.stdout, 'write').mockReturnValue(true);
    try {
      expect(await validateCommand(dir)).toBe(0);
    } finally {
      write.mockRestore();
    }
    expect(parsed.options).toHaveLength(1 + TOPICS);
    expect(topicValidations).toHaveBeenCalledTimes(TOPICS + OVERLAID.length);
  });

  it('never asks the YAML library for its duplicate-key check, which compares every key with all before it', async () => {
    await validateConfig(await landscape());
    expect(parsed.options.length).toBeGreaterThan(0);
    for (const options of parsed.options) expect(options).toMatchObject({ uniqueKeys: false });
  });
});
