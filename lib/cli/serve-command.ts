/** `landscape serve`: wired to lib/serve once it lands. */
export async function serveCommand(_options: { port?: number; config?: string; state?: string }): Promise<number> {
  // A variable specifier: lib/serve is optional at type-check time and loaded only for this command.
  const serverModule = '../serve/server.ts';
  const { startServer } = (await import(serverModule)) as {
    startServer: (options: Record<string, unknown>) => Promise<unknown>;
  };
  await startServer(_options);
  return new Promise<number>(() => {
    // runs until interrupted
  });
}
