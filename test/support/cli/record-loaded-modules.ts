/**
 * Preloaded into a CLI child process (`node --import`) by the start-up tests: when the process exits, writes the
 * URL of every module it loaded, one per line, to LANDSCAPE_TEST_LOADED_MODULES.
 */
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const out = process.env.LANDSCAPE_TEST_LOADED_MODULES;
if (out) {
  const loaded: string[] = [];
  registerHooks({
    load(url, context, next) {
      loaded.push(url);
      return next(url, context);
    },
  });
  process.on('exit', () => writeFileSync(out, loaded.join('\n')));
}
