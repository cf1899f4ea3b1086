import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { LocalSecretResolver } from '../adapters/secrets/env-secret-resolver.ts';
import { FileLocker } from '../adapters/store/file-locker.ts';
import { FileStateStore } from '../adapters/store/file-state-store.ts';
import type { SecretResolver } from '../ports/secret-resolver.ts';
import { withPublishedAuditSinks } from './audit-sinks.ts';

const run = promisify(execFile);

/**
 * The embedded default: state in a local directory (`--state`, LANDSCAPE_STATE_DIR, or ./.landscape). Audit
 * records are kept there and sent to the AuditSinks of the environment's last applied config; a sink that
 * cannot be reached is a warning, never a failed command (the record is already kept).
 */
export function localContext(stateDir: string | undefined, configDir?: string) {
  const root = resolve(stateDir ?? process.env.LANDSCAPE_STATE_DIR ?? '.landscape');
  const secrets: SecretResolver = new LocalSecretResolver({ baseDir: configDir ? resolve(configDir) : process.cwd() });
  const store = withPublishedAuditSinks(
    new FileStateStore(root),
    { secrets },
    {
      onError: (error, record) =>
        process.stderr.write(
          `warning: audit record ${record.type} not delivered to every AuditSink: ${error.message}\n`,
        ),
    },
  );
  return { root, store, locker: new FileLocker(root), secrets };
}

/** The commit a config directory is at, when it is inside a git work tree (with `+dirty` for local edits). */
export async function gitCommitOf(dir: string): Promise<{ commit?: string; repo?: string }> {
  try {
    const { stdout: commit } = await run('git', ['-C', dir, 'rev-parse', 'HEAD']);
    const { stdout: status } = await run('git', ['-C', dir, 'status', '--porcelain', '--', '.']);
    const { stdout: top } = await run('git', ['-C', dir, 'rev-parse', '--show-toplevel']);
    return { commit: `${commit.trim()}${status.trim() ? '+dirty' : ''}`, repo: top.trim() };
  } catch {
    return {};
  }
}

/** Who is acting, for audit records. */
export function localActor(): string {
  return process.env.LANDSCAPE_ACTOR ?? `${process.env.USER ?? 'local'}@cli`;
}
