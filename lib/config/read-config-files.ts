import { constants, type Dirent } from 'node:fs';
import { lstat, open, readdir, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import type { ConfigProblem } from '../errors.ts';
import { type ConfigLimits, formatBytes, LIMIT_VARIABLES } from './limits.ts';
import type { ConfigFile } from './parse-config.ts';

const SKIPPED_DIRS = new Set(['node_modules', '.git', '.landscape']);

/** A config file as read: `path` is what problems and plans show, `fsPath` where it is on disk. */
export type ReadConfigFile = ConfigFile & { fsPath: string };

/** What a config tree held: the readable files, and a problem for each one that was refused. */
export interface ConfigTree {
  files: ReadConfigFile[];
  problems: ConfigProblem[];
  /** The directory that holds the config (`root`, or its folder when `root` is a file), symlinks resolved. */
  realRoot: string;
  /** Bytes read so far: Schema files read later count against the same total. */
  bytesRead: number;
}

/** True when `path` is `dir` or below it (both absolute and symlink-free). */
export function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

/** One file read safely, or why it was refused (a sentence and a hint for the problem). */
export type SafeRead = { text: string; bytes: number } | { refused: string; hint: string; tooLarge?: true };

const OUTSIDE_HINT = 'config files and Schema files must be inside the config directory; copy the file in';

/**
 * Reads `fsPath` only when it is a regular file inside `realRoot` (a symbolic link counts when it resolves to
 * one) and at most `maxBytes` long, without ever blocking or reading without bound: FIFOs, devices
 * (`/dev/urandom`), sockets and directories are refused, the open does not block, the type is checked on the
 * opened descriptor, and no more than `maxBytes + 1` bytes are read whatever the file claims its size is.
 * The reason for a refusal never quotes the file.
 */
export async function readRegularFile(fsPath: string, realRoot: string, maxBytes: number): Promise<SafeRead> {
  const link = await lstat(fsPath).catch(() => undefined);
  if (!link) return { refused: 'does not exist', hint: 'check the path' };
  let target: string;
  try {
    target = await realpath(fsPath);
  } catch {
    return link.isSymbolicLink()
      ? { refused: 'is a broken symbolic link', hint: 'point it at a file inside the config directory, or remove it' }
      : { refused: 'does not exist', hint: 'check the path' };
  }
  if (!isInside(realRoot, target))
    return {
      refused: link.isSymbolicLink()
        ? 'is a symbolic link to a file outside the config directory'
        : 'is outside the config directory',
      hint: OUTSIDE_HINT,
    };
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever. O_NOFOLLOW: the
    // target is already resolved; a link swapped in since is refused rather than followed.
    handle = await open(target, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (error) {
    return { refused: `cannot be opened (${errorCode(error)})`, hint: 'check the file and its permissions' };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { refused: `is not a regular file (${fileType(info)})`, hint: 'remove or rename it' };
    const tooLarge = {
      refused: `is larger than the limit of ${formatBytes(maxBytes)}`,
      hint: `split it into smaller files, or raise ${LIMIT_VARIABLES.maxFileBytes}`,
      tooLarge: true as const,
    };
    if (info.size > maxBytes) return tooLarge;
    // The size in the metadata may be wrong (a file that grows, /proc): read at most one byte past the limit.
    let buffer = Buffer.alloc(Math.min(maxBytes + 1, info.size + 1));
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        const larger = Buffer.alloc(Math.min(maxBytes + 1, buffer.length * 2));
        buffer.copy(larger);
        buffer = larger;
      }
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) return tooLarge;
    }
    return { text: buffer.toString('utf8', 0, length), bytes: length };
  } catch (error) {
    return { refused: `cannot be read (${errorCode(error)})`, hint: 'check the file and its permissions' };
  } finally {
    await handle.close();
  }
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? 'error';
}

function fileType(info: {
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
  isDirectory(): boolean;
}): string {
  if (info.isFIFO()) return 'a FIFO';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  if (info.isDirectory()) return 'a directory';
  return 'not a file';
}

/**
 * Every *.yaml / *.yml below `root` (sorted, so problems and plans come out in a stable order), read within
 * `limits`. Each file's `path` is `displayRoot` joined with its path below the root: what errors and plans
 * show. Files that cannot be read safely (see readRegularFile) and limits reached become problems at the
 * file, and the rest of the tree is still read, so one bad file never hides the others' problems.
 */
export async function readConfigTree(root: string, displayRoot: string, limits: ConfigLimits): Promise<ConfigTree> {
  const info = await stat(root).catch(() => undefined);
  if (!info)
    return {
      files: [],
      problems: [
        {
          file: root,
          line: 1,
          column: 1,
          message: 'config directory does not exist',
          hint: 'pass the folder that holds your YAML',
        },
      ],
      realRoot: root,
      bytesRead: 0,
    };
  const realRoot = info.isDirectory() ? await realpath(root) : dirname(await realpath(root));
  const display = (fsPath: string) => (info.isDirectory() ? join(displayRoot, relative(root, fsPath)) : displayRoot);
  const problems: ConfigProblem[] = [];
  const atFile = (fsPath: string, message: string, hint: string): ConfigProblem => ({
    file: display(fsPath),
    line: 1,
    column: 1,
    message,
    hint,
  });

  const paths: string[] = [];
  let tooMany = false;
  const walk = async (dir: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      problems.push(atFile(dir, `directory cannot be read (${errorCode(error)})`, 'check its permissions'));
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (tooMany) return;
      if (entry.name.startsWith('.') || SKIPPED_DIRS.has(entry.name)) continue;
      const full = join(dir, entry.name);
      // Symbolic links to directories are not followed (no loops, no escapes); links named *.yaml are
      // checked like any file by readRegularFile.
      if (entry.isDirectory()) await walk(full);
      else if (/\.ya?ml$/.test(entry.name)) {
        if (paths.length === limits.maxFiles) {
          tooMany = true;
          problems.push({
            file: info.isDirectory() ? displayRoot : display(full),
            line: 1,
            column: 1,
            message: `has more than ${limits.maxFiles} YAML files (the limit); none after ${display(paths.at(-1) ?? full)} were read`,
            hint: `raise ${LIMIT_VARIABLES.maxFiles}, or point Landscape at a smaller folder`,
          });
          return;
        }
        paths.push(full);
      }
    }
  };
  if (info.isDirectory()) await walk(root);
  else paths.push(root);
  paths.sort();

  // One file at a time: the byte budget is spent in a stable order, and a tree of 10,000 files never holds
  // 10,000 descriptors open.
  const files: ReadConfigFile[] = [];
  let bytesRead = 0;
  for (const fsPath of paths) {
    const remaining = limits.maxTotalBytes - bytesRead;
    const read = await readRegularFile(fsPath, realRoot, Math.min(limits.maxFileBytes, remaining));
    if ('refused' in read) {
      if (read.tooLarge && remaining < limits.maxFileBytes) {
        problems.push(
          atFile(
            fsPath,
            `reading it would pass the limit of ${formatBytes(limits.maxTotalBytes)} for all config files together; it and the files after it were not read`,
            `raise ${LIMIT_VARIABLES.maxTotalBytes}, or point Landscape at a smaller folder`,
          ),
        );
        break;
      }
      problems.push(atFile(fsPath, read.refused, read.hint));
      continue;
    }
    bytesRead += read.bytes;
    files.push({ fsPath, path: display(fsPath), text: read.text });
  }
  return { files, problems, realRoot, bytesRead };
}
