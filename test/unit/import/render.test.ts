import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { renderImport } from '../../../lib/import/render.ts';
import type { ImportedDocument } from '../../../lib/import/types.ts';

const from = { file: 'source.yaml', line: 1 };
const long = (n: number) => `acme.shop.test.web.orders.topic-number-${n}`;

describe('renderImport layout', () => {
  it('writes what fits on one line on one line, keeps long collections as blocks, and reads back the same', () => {
    const documents: ImportedDocument[] = [
      {
        file: 'topics.yaml',
        kind: 'Topic',
        name: 'orders',
        spec: { partitions: 3, config: { 'retention.ms': '1' } },
        from,
      },
      {
        file: 'access.yaml',
        kind: 'Access',
        name: 'billing',
        spec: {
          principals: ['User:billing'],
          consumer: [{ topics: ['orders'], group: 'billing' }],
          streams: [{ applicationId: 'app', inputs: [long(1), long(2)], outputs: [long(3)], aclStyle: 'julieops' }],
        },
        from,
      },
    ];
    const files = renderImport({ documents, losses: [], notes: [] }, 'imported');
    expect(files.get('topics.yaml')).toBe(
      [
        '# imported',
        'apiVersion: landscape.dev/v1',
        'kind: Topic',
        'metadata: { name: orders }',
        'spec: { partitions: 3, config: { retention.ms: "1" } }',
        '',
      ].join('\n'),
    );
    const access = files.get('access.yaml') ?? '';
    expect(access).toContain('  consumer: [ { topics: [ orders ], group: billing } ]\n');
    // Too wide for one line: a block whose short lists are still one line each.
    expect(access).toContain('  streams:\n    - applicationId: app\n');
    expect(access).toContain(`      inputs: [ ${long(1)}, ${long(2)} ]\n`);
    for (const line of access.split('\n')) expect(line.length).toBeLessThanOrEqual(110);
    const [back] = parseAllDocuments(access).map((d) => d.toJS());
    expect(back.spec).toEqual(documents[1]?.spec);
  });
});
