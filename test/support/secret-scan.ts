import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A piece of output to scan and where it came from (for the failure message). */
export interface ScannedText {
  where: string;
  text: string;
}

/** The forms a secret may take once it has passed through JSON, URLs, base64 or hex. */
function encodings(value: string): string[] {
  const forms = new Set([
    value,
    JSON.stringify(value).slice(1, -1),
    encodeURIComponent(value),
    Buffer.from(value).toString('base64').replace(/=+$/, ''),
    Buffer.from(value).toString('hex'),
  ]);
  return [...forms].filter((f) => f.length >= 6);
}

/**
 * Fails when any secret value (or its JSON-escaped, URL-encoded, base64 or hex form) appears in any text.
 * The message names the secret and the place, never the value. Secrets shorter than 6 characters cannot be
 * scanned for meaningfully and are refused, so a test cannot pass by accident with a weak fixture.
 *
 * @example
 * assertNoSecrets([{ where: 'stdout', text: captured }], { KAFKA_PASSWORD: 'admin-secret' });
 */
export function assertNoSecrets(
  texts: Iterable<ScannedText | string>,
  secrets: Record<string, string> | readonly string[],
): void {
  const named: [string, string][] = Array.isArray(secrets)
    ? secrets.map((value, i) => [`secret #${i + 1}`, value] as [string, string])
    : Object.entries(secrets as Record<string, string>);
  for (const [name, value] of named) {
    if (value.length < 6) throw new Error(`secret ${name} is too short to scan for (${value.length} characters)`);
  }
  const leaks: string[] = [];
  let index = 0;
  for (const item of texts) {
    const { where, text } = typeof item === 'string' ? { where: `text #${++index}`, text: item } : item;
    for (const [name, value] of named) {
      for (const form of encodings(value)) {
        const at = text.indexOf(form);
        if (at === -1) continue;
        const context = `${text.slice(Math.max(0, at - 40), at)}<${name}>${text.slice(at + form.length, at + form.length + 40)}`;
        leaks.push(
          `${name} appears in ${where}${form === value ? '' : ' (encoded)'}: ...${context.replace(/\s+/g, ' ')}...`,
        );
        break;
      }
    }
  }
  if (leaks.length > 0) throw new Error(`secret values leaked:\n${leaks.join('\n')}`);
}

/** Every file below `dir` as scannable text (what a state directory or an output folder holds). */
export async function readTree(dir: string): Promise<ScannedText[]> {
  const out: ScannedText[] = [];
  const walk = async (current: string): Promise<void> => {
    for (const entry of await readdir(current, { withFileTypes: true }).catch(() => [])) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) await walk(path);
      else out.push({ where: path, text: await readFile(path, 'latin1') });
    }
  };
  await walk(dir);
  return out;
}

/**
 * Captures everything written to stdout and stderr (and `console`, which writes there) until `restore()`;
 * nothing reaches the terminal meanwhile.
 */
export function captureOutput(): { texts(): ScannedText[]; stdout(): string; stderr(): string; restore(): void } {
  const chunks = { stdout: [] as string[], stderr: [] as string[] };
  const original = { stdout: process.stdout.write, stderr: process.stderr.write };
  const capture =
    (into: string[]) =>
    (chunk: unknown, ...rest: unknown[]): boolean => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    };
  process.stdout.write = capture(chunks.stdout) as typeof process.stdout.write;
  process.stderr.write = capture(chunks.stderr) as typeof process.stderr.write;
  return {
    texts: () => [
      { where: 'stdout', text: chunks.stdout.join('') },
      { where: 'stderr', text: chunks.stderr.join('') },
    ],
    stdout: () => chunks.stdout.join(''),
    stderr: () => chunks.stderr.join(''),
    restore() {
      process.stdout.write = original.stdout;
      process.stderr.write = original.stderr;
    },
  };
}
