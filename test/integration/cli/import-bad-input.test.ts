import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { landscapeCli } from '../../support/cli/landscape-cli.ts';

let dir: string;
let state: string;

const cli = (...args: string[]) => landscapeCli(args, { cwd: dir, state });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'landscape-import-bad-'));
  state = await mkdtemp(join(tmpdir(), 'landscape-import-bad-state-'));
});

/** Each tool given a file of another format: exit 1, an error naming the file and line, nothing written. */
const cases: { tool: string; file: string; text: string; error: RegExp }[] = [
  {
    tool: 'kafka-gitops',
    file: 'strimzi-topic.yaml',
    text: 'apiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaTopic\nmetadata:\n  name: orders\n',
    error: /strimzi-topic\.yaml:1: apiVersion: not a kafka-gitops state file: unexpected key "apiVersion"/,
  },
  {
    tool: 'strimzi',
    file: 'state.yaml',
    text: 'topics:\n  orders:\n    partitions: 1\n',
    error: /state\.yaml:1: apiVersion: not a Strimzi resource: expected apiVersion kafka\.strimzi\.io\/v1beta2/,
  },
  {
    tool: 'julieops',
    file: 'gitops-state.yaml',
    text: 'topics:\n  orders:\n    partitions: 1\n',
    error: /gitops-state\.yaml:1: not a JulieOps descriptor \(no "context"\) or plans file \(no "plans"\)/,
  },
  {
    tool: 'terraform-state',
    file: 'terraform.tfstate',
    text: '{\n  "version": 4,\n  "resources": []\n}\n',
    error: /terraform\.tfstate:1: not the JSON of terraform show -json: expected "format_version" and "values"/,
  },
  {
    tool: 'jikkou',
    file: 'strimzi-user.yaml',
    text: 'apiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaUser\nmetadata:\n  name: u\n',
    error: /strimzi-user\.yaml:1: apiVersion: not a Jikkou resource: expected apiVersion kafka\.jikkou\.io\/v1beta2/,
  },
];

describe('landscape import with a file that is not in the named format', () => {
  for (const { tool, file, text, error } of cases) {
    it(`--from ${tool}: exit 1, the file and line named, nothing written`, async () => {
      const source = join(dir, file);
      await writeFile(source, text);
      const out = join(dir, `out-${tool}`);
      const result = await cli('import', '--from', tool, source, '--out', out);
      expect(result.stderr).toMatch(error);
      expect(result.stderr).toContain('nothing written');
      expect(result.code).toBe(1);
      expect(await readdir(out).catch(() => 'absent')).toBe('absent');
    });
  }

  it('an unknown --from names the tools it knows', async () => {
    const result = await cli('import', '--from', 'kafka-magic', 'x.yaml', '--out', join(dir, 'out'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('unknown --from "kafka-magic": expected one of kafka-gitops');
  });
});
