import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { validateConfig } from '../../../lib/config/load-config.ts';
import {
  COMBINED_SCHEMA_FILE,
  combinedJsonSchema,
  kindJsonSchema,
  kindSchemaFileName,
  pickExamples,
} from '../../../lib/config/reference.ts';
import { readExampleSources } from '../../../lib/config/reference-files.ts';
import { KINDS, type Kind } from '../../../lib/model/documents.ts';

const root = join(import.meta.dirname, '../../..');

/** ajv as an editor-independent judge: strict mode (a schema keyword it does not know is an error). */
function compile(schema: object): ValidateFunction {
  const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
  ajv.addFormat('uri', (value: string) => URL.canParse(value));
  // Editor completion hints (the YAML language server's), not validation.
  ajv.addKeyword('defaultSnippets');
  return ajv.compile(schema);
}

const combined = compile(combinedJsonSchema());
const perKind = new Map(KINDS.map((kind) => [kind, compile(kindJsonSchema(kind))]));

function problems(validate: ValidateFunction, document: unknown): string[] {
  return validate(document) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

const topic = (spec: Record<string, unknown>) => ({
  apiVersion: 'landscape.dev/v1',
  kind: 'Topic',
  metadata: { name: 'orders' },
  spec,
});

describe('the exported JSON Schemas', () => {
  it('accept every document of examples/, the golden plan inputs and docs/reference-examples.yaml', async () => {
    const sources = await readExampleSources(root);
    expect(sources.length).toBeGreaterThan(10);
    let checked = 0;
    for (const file of sources) {
      for (const document of parseAllDocuments(file.text)) {
        const value = document.toJS() as { kind?: Kind } | null;
        if (value === null) continue;
        const where = `${file.path}: ${value.kind}`;
        expect(problems(combined, value), where).toEqual([]);
        const own = perKind.get(value.kind as Kind);
        expect(own, where).toBeDefined();
        expect(problems(own as ValidateFunction, value), where).toEqual([]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('accept the Environment recipes of docs/connect.md (every authentication variant)', async () => {
    const page = await readFile(join(root, 'docs/connect.md'), 'utf8');
    const blocks = [...page.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1] as string);
    expect(blocks.length).toBeGreaterThanOrEqual(10);
    for (const block of blocks) {
      for (const document of parseAllDocuments(block)) {
        const value = document.toJS() as { metadata?: { name?: string } } | null;
        if (value === null) continue;
        expect(problems(combined, value), value.metadata?.name).toEqual([]);
      }
    }
  });

  it('reject an unknown field, a wrong type or value, a missing field, an unknown kind or topic config, an inline password', () => {
    expect(problems(combined, topic({ partitions: 3, replicationFactor: 1 }))).toEqual([]);
    for (const invalid of [
      topic({ partitions: 3, replicationFactor: 1, retention: '7d' }),
      topic({ partitions: 'three', replicationFactor: 1 }),
      topic({ partitions: 0, replicationFactor: 1 }),
      topic({ partitions: 3, replicationFactor: 'all' }),
      {
        apiVersion: 'landscape.dev/v1',
        kind: 'Acl',
        metadata: { name: 'no-principal' },
        spec: { resource: { type: 'topic', name: 'orders' }, operations: ['read'] },
      },
      topic({ partitions: 3, replicationFactor: 1, config: { 'retention.msec': 1 } }),
      { ...topic({ partitions: 3, replicationFactor: 1 }), kind: 'Topik' },
      { ...topic({ partitions: 3, replicationFactor: 1 }), apiVersion: 'landscape.dev/v2' },
      { ...topic({ partitions: 3, replicationFactor: 1 }), metadata: { name: 'orders', owner: 'me' } },
      {
        apiVersion: 'landscape.dev/v1',
        kind: 'User',
        metadata: { name: 'orders-app' },
        spec: { mechanism: 'SCRAM-SHA-512', password: 'hunter2' },
      },
    ]) {
      expect(problems(combined, invalid), JSON.stringify(invalid)).not.toEqual([]);
    }
    expect(
      problems(perKind.get('Topic') as ValidateFunction, topic({ partitions: 3, replicationFactor: '1' })),
    ).not.toEqual([]);
  });

  it('type secret references as one shared definition, and describe fields', () => {
    const user = kindJsonSchema('User') as { definitions?: Record<string, unknown> };
    expect(Object.keys(user.definitions ?? {})).toEqual(['SecretRef']);
    const text = JSON.stringify(kindJsonSchema('Topic'));
    expect(text).toContain('"retention.ms"');
    expect(text).toContain('Number of partitions');
    expect(kindSchemaFileName('KubernetesManifest')).toBe('kubernetes-manifest.schema.json');
    expect(COMBINED_SCHEMA_FILE).toBe('landscape.schema.json');
  });
});

describe('the examples the reference shows', () => {
  it('load together as one configuration without problems (they refer to each other by name)', async () => {
    const examples = pickExamples(await readExampleSources(root));
    expect([...examples.keys()].sort()).toEqual([...KINDS].sort());
    const environment = (examples.get('Environment')?.yaml ?? '').trim();
    // Overlays must name a declared Environment: declare the ones the examples use.
    const overlayNames = new Set<string>();
    for (const example of examples.values()) {
      const value = parseAllDocuments(example.yaml)[0]?.toJS() as { overlays?: object } | undefined;
      for (const name of Object.keys(value?.overlays ?? {})) overlayNames.add(name);
    }
    const dir = await mkdtemp(join(tmpdir(), 'landscape-reference-'));
    try {
      const documents = [...examples.values()].map((e) => e.yaml);
      for (const name of overlayNames) documents.push(environmentNamed(environment, name));
      await writeFile(join(dir, 'config.yaml'), documents.join('\n---\n'));
      const found = (await validateConfig(dir)).filter((p) => p.severity !== 'warning');
      expect(found).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** The example Environment under another name (for examples with overlays of that environment). */
function environmentNamed(environmentYaml: string, name: string): string {
  const environment = parseAllDocuments(environmentYaml)[0]?.toJS() as { metadata: object };
  return stringify({ ...environment, metadata: { ...environment.metadata, name } });
}
