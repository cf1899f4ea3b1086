import { randomUUID } from 'node:crypto';
import { link, mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AdapterError, StateDamagedError } from '../../errors.ts';

/**
 * Reads JSON, or undefined when the file does not exist. A file that exists but is not JSON (truncated by a
 * full disk, edited by hand) is a `StateDamagedError` naming the file and `fix`, never a bare parser error.
 */
export async function readJson<T>(
  path: string,
  fix = 'restore it from a backup, or move it aside if what it records can be rebuilt',
): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    const problem = text.trim() === '' ? 'the file is empty' : `not JSON: ${(error as Error).message}`;
    throw new StateDamagedError(path, problem, fix);
  }
}

const tempName = (path: string) => `${path}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;

/** Writes JSON atomically (temp file + rename), so a crash never leaves half a plan on disk. */
export async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempName(path);
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`);
  await rename(tmp, path);
}

/**
 * Creates `path` with the given text only when it does not exist yet, atomically and whole: the text is written
 * to a temporary file that is then hard-linked to `path` (link fails with EEXIST instead of replacing), so no
 * reader ever sees the file empty or half written. Returns false when `path` already exists.
 */
export async function createExclusive(path: string, text: string): Promise<boolean> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempName(path);
  await writeFile(tmp, text);
  try {
    await link(tmp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/** One entry of a mutex's generation log. */
interface MutexEntry {
  state: 'held' | 'released';
  token: string;
  pid: number;
  /** Host name and boot id: a pid is only meaningful on the same machine in the same boot. */
  machine: string;
  /** Epoch ms when the entry was written. */
  at: number;
}

const GENERATION = /^(\d{16})\.json$/;
const generationName = (n: number) => `${String(n).padStart(16, '0')}.json`;

let machineId: string | undefined;
/** This host and boot: a pid names the same process only on the same machine in the same boot. */
export async function thisMachine(): Promise<string> {
  if (machineId === undefined) {
    const boot = await readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => '');
    machineId = `${hostname()}/${boot.trim()}`;
  }
  return machineId;
}

/** Whether a process with this pid exists on this machine. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The highest generation in the log and its entry; undefined entry when it cannot be read as one. */
async function latest(dir: string): Promise<{ n: number; entry?: MutexEntry; mtimeMs?: number } | undefined> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  let n = 0;
  for (const name of names) {
    const match = GENERATION.exec(name);
    if (match?.[1]) n = Math.max(n, Number(match[1]));
  }
  if (n === 0) return undefined;
  const path = join(dir, generationName(n));
  try {
    const text = await readFile(path, 'utf8');
    const entry = JSON.parse(text) as MutexEntry;
    if (entry.state === 'held' || entry.state === 'released') return { n, entry };
  } catch (error) {
    // Removed since the listing (a newer generation exists): the caller looks again.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { n: -1 };
  }
  // Not written by this code (damaged by hand): judged by its age alone.
  const info = await stat(path).catch(() => undefined);
  return { n, mtimeMs: info?.mtimeMs ?? 0 };
}

/** Whether the holder of `top` can no longer be holding the mutex. */
async function isStale(top: { entry?: MutexEntry; mtimeMs?: number }, staleMs: number): Promise<boolean> {
  const { entry } = top;
  if (!entry) return Date.now() - (top.mtimeMs ?? 0) > staleMs;
  if (entry.state === 'released') return true;
  const age = Date.now() - entry.at;
  if (entry.machine === (await thisMachine())) {
    // Same machine: a dead pid is certain. A live one is trusted far longer (it may be a reused pid).
    return !processAlive(entry.pid) || age > staleMs * 10;
  }
  return age > staleMs;
}

/** Deletes generations below `n` (best effort: they are history, never read for decisions). */
async function compact(dir: string, n: number): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    names
      .filter((name) => {
        const match = GENERATION.exec(name);
        return match?.[1] !== undefined && Number(match[1]) < n;
      })
      .map((name) => unlink(join(dir, name)).catch(() => undefined)),
  );
}

/**
 * Runs `fn` holding an exclusive cross-process mutex, so read-modify-write sequences on the store's files are
 * atomic (the CLI and `landscape serve` may share one state directory).
 *
 * The mutex is a directory holding a log of generations `<n>.json`. Every state change is one exclusive
 * create of the next generation (hard link of a complete temporary file: never empty, never half written):
 * acquiring writes `n+1` "held" when generation `n` is released or stale, releasing writes `n+1` "released".
 * Two contenders for the same transition cannot both win, and nothing is ever deleted to take over, so a
 * takeover can never remove a newer holder's entry (the defect of a delete-then-create lock file). A holder
 * is stale when its process is gone (same machine and boot) or, failing that, after `staleMs` (another
 * machine) or ten times that (a live pid on this machine, which may be a reused one).
 */
export async function withFileMutex<T>(lockDir: string, fn: () => Promise<T>, staleMs = 30_000): Promise<T> {
  const n = await acquire(lockDir, staleMs);
  try {
    return await fn();
  } finally {
    await release(lockDir, n);
  }
}

async function acquire(dir: string, staleMs: number): Promise<number> {
  await mkdir(dir, { recursive: true });
  const token = randomUUID();
  const machine = await thisMachine();
  const deadline = Date.now() + staleMs * 12;
  let delay = 1;
  for (;;) {
    const top = await latest(dir);
    if (top?.n === -1) continue;
    if (!top || (await isStale(top, staleMs))) {
      const n = (top?.n ?? 0) + 1;
      const entry: MutexEntry = { state: 'held', token, pid: process.pid, machine, at: Date.now() };
      if (await createExclusive(join(dir, generationName(n)), JSON.stringify(entry))) {
        // A contender that read an old listing can create a generation that compaction already removed:
        // it holds the mutex only if nothing newer exists.
        if ((await latest(dir))?.n === n) {
          await compact(dir, n);
          return n;
        }
      }
      continue;
    }
    if (Date.now() > deadline) {
      const holder = top.entry ? `pid ${top.entry.pid} on ${top.entry.machine.split('/')[0]}` : 'an unknown holder';
      throw new AdapterError(
        `waiting for the lock "${basename(dir)}" in "${dirname(dir)}": held by ${holder} for over ${Math.round((staleMs * 12) / 1000)} s`,
        { retryable: true },
      );
    }
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 25);
  }
}

async function release(dir: string, n: number): Promise<void> {
  const entry: MutexEntry = {
    state: 'released',
    token: randomUUID(),
    pid: process.pid,
    machine: await thisMachine(),
    at: Date.now(),
  };
  // EEXIST: someone judged this holder stale and took over; the mutex is theirs now, nothing to undo.
  if (await createExclusive(join(dir, generationName(n + 1)), JSON.stringify(entry))) await compact(dir, n + 1);
}
