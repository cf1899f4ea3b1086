import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Writes config files into a fresh temporary directory and returns its path. */
export async function configDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'landscape-test-'));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

export const ENVIRONMENT_YAML = `apiVersion: landscape.dev/v1
kind: Environment
metadata: { name: test }
spec:
  kafka: { bootstrapServers: ["127.0.0.1:9092"] }
  prune: { Topic: true, Acl: true, Quota: true, User: true }
  requireApprovalFor: none
`;

export function topicYaml(name: string, spec: string): string {
  return `apiVersion: landscape.dev/v1\nkind: Topic\nmetadata: { name: ${name} }\nspec: ${spec}\n`;
}
