import { resolve } from 'node:path';
import { startServer } from '../serve/server.ts';

export interface ServeCommandOptions {
  port?: number;
  state?: string;
  /** `owner/name` patterns allowed to send webhooks (LANDSCAPE_REPOSITORIES, comma separated). */
  repositories?: string[];
  /** Branches whose commits may deploy (LANDSCAPE_BRANCHES, comma separated); default every branch. */
  branches?: string[];
  /** Base URL of the git smart-HTTP server holding config repositories (LANDSCAPE_GIT_BASE_URL). */
  gitBaseUrl?: string;
  driftIntervalSeconds?: number;
  /** Missed-push catch-up at start and this often; 0 turns it off (default 300). */
  catchUpIntervalSeconds?: number;
}

/**
 * `landscape serve`: the webhook and API handlers on a local HTTP server with the embedded store. The webhook
 * secret and API token come from the environment only (LANDSCAPE_WEBHOOK_SECRET, LANDSCAPE_API_TOKEN), never
 * from flags, so they do not end up in shell history or process listings.
 */
export async function serveCommand(options: ServeCommandOptions): Promise<number> {
  const webhookSecret = process.env.LANDSCAPE_WEBHOOK_SECRET ?? '';
  const apiToken = process.env.LANDSCAPE_API_TOKEN ?? '';
  if (webhookSecret.length < 16 || apiToken.length < 16) {
    process.stderr.write(
      'serve needs LANDSCAPE_WEBHOOK_SECRET and LANDSCAPE_API_TOKEN (16+ characters each) in the environment\n',
    );
    return 1;
  }
  const repositories = options.repositories ?? (process.env.LANDSCAPE_REPOSITORIES ?? '').split(',').filter(Boolean);
  if (repositories.length === 0) {
    process.stderr.write('serve needs an allowlist of repositories: --repo owner/name (or LANDSCAPE_REPOSITORIES)\n');
    return 1;
  }
  const branches = options.branches ?? (process.env.LANDSCAPE_BRANCHES ?? '').split(',').filter(Boolean);
  const catchUp = options.catchUpIntervalSeconds;
  if (catchUp !== undefined && !(Number.isInteger(catchUp) && catchUp >= 0)) {
    process.stderr.write('--catch-up-interval takes a whole number of seconds (0 turns the catch-up off)\n');
    return 1;
  }
  const gitBaseUrl = options.gitBaseUrl ?? process.env.LANDSCAPE_GIT_BASE_URL;
  const server = await startServer({
    stateDir: resolve(options.state ?? process.env.LANDSCAPE_STATE_DIR ?? '.landscape'),
    webhookSecret,
    apiToken,
    repositories,
    ...(branches.length > 0 ? { branches } : {}),
    ...(catchUp !== undefined ? { catchUpIntervalSeconds: catchUp } : {}),
    git: gitBaseUrl ? { baseUrl: gitBaseUrl } : {},
    port: options.port ?? 8080,
    ...(options.driftIntervalSeconds ? { driftIntervalSeconds: options.driftIntervalSeconds } : {}),
  });
  process.stderr.write(
    `landscape serve listening on ${server.url} (POST /webhooks/github, /api/*); deploying ${branches.length > 0 ? `branches ${branches.join(', ')}` : 'every branch an Environment names'}\n`,
  );
  return new Promise<number>((done) => {
    const stop = () => {
      void server.close().then(() => done(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
