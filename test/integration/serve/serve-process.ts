import { startServer } from '../../../lib/serve/server.ts';

/**
 * `landscape serve` in a process of its own, so a test can read its memory (/proc/<pid>/status) apart from
 * the client's. Options come as JSON in argv[2]; the secrets in LANDSCAPE_WEBHOOK_SECRET / LANDSCAPE_API_TOKEN.
 * Prints `{"url": ...}` on one line once listening; stops on SIGTERM.
 */
const options = JSON.parse(process.argv[2] ?? '{}') as Partial<Parameters<typeof startServer>[0]>;
const server = await startServer({
  stateDir: options.stateDir ?? '.landscape',
  webhookSecret: process.env.LANDSCAPE_WEBHOOK_SECRET ?? '',
  apiToken: process.env.LANDSCAPE_API_TOKEN ?? '',
  repositories: options.repositories ?? ['acme/platform-config'],
  git: options.git ?? { baseUrl: 'http://127.0.0.1:9' },
  logLevel: 'ERROR',
  ...options,
});
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
