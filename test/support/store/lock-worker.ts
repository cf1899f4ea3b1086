/**
 * A child process that takes an environment's file lease and dies without releasing it (SIGKILL: no cleanup),
 * as a crashed or killed `landscape apply` leaves it. Usage: node lock-worker.ts STATE_DIR ENV
 */
import { FileLocker } from '../../../lib/adapters/store/file-locker.ts';

const [root, environment] = process.argv.slice(2);
if (!root || !environment) throw new Error('usage: lock-worker.ts STATE_DIR ENV');
const attempt = await new FileLocker(root).tryLock(environment, 'crashed@cli', 900);
process.stdout.write(`${JSON.stringify(attempt)}\n`);
process.kill(process.pid, 'SIGKILL');
