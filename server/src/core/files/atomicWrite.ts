// Rewriting files without losing anything. A file is read as a snapshot (its bytes, size, mtime and
// hash); writing it back goes through a temporary file in the same directory (fsynced, given the
// original mode and owner) that is renamed over the original only if the original is still what the
// snapshot saw. What is refused, and why:
// - anything but a regular file (devices, FIFOs, directories, sockets): renaming over it would move
//   the node aside, and reading a FIFO would block;
// - a file with several hard links: a rename would split them, and writing in place is not atomic;
// - a read-only file, unless forced;
// - a file changed since it was read (someone saved meanwhile, or was still writing it).
// A symlink is followed (its target is rewritten, the link stays) unless the caller refuses symlinks.
// Temporary files are removed on failure and when the process exits; signal handlers call
// removeTempFilesSync() before exiting.
import { createHash, randomBytes } from 'node:crypto';
import { constants, promises as fs, unlinkSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export type FileWriteProblem = 'not-regular' | 'symlink' | 'hard-links' | 'read-only' | 'changed' | 'io';

export class FileWriteError extends Error {
  constructor(
    message: string,
    readonly problem: FileWriteProblem,
    readonly path: string,
  ) {
    super(message);
  }
}

/** A file as it was read, to be checked unchanged before it is replaced. */
export interface FileSnapshot {
  /** The path as given. */
  path: string;
  /** The file read and to be replaced: the path itself, or a symlink's resolved target. */
  target: string;
  bytes: Buffer;
  size: number;
  mtimeMs: number;
  /** sha256 of the bytes. */
  hash: string;
  mode: number;
  ino: number;
}

export interface ReadOptions {
  /** `refuse` rejects a symlink at `path` (the feature store never follows one). Default `follow`. */
  symlinks?: 'follow' | 'refuse';
}

/**
 * Reads a regular file for a later rewrite. Throws FileWriteError for anything else, and the
 * ordinary errno error (code ENOENT, ...) when it cannot be read.
 */
export async function readSnapshot(path: string, options: ReadOptions = {}): Promise<FileSnapshot> {
  const target = await resolveTarget(path, options);
  // O_NONBLOCK: if a FIFO were swapped in after the check, opening it must not hang.
  const handle = await fs.open(target, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  try {
    const st = await handle.stat();
    checkRegular(st, path);
    const bytes = await handle.readFile();
    return { path, target, bytes, size: st.size, mtimeMs: st.mtimeMs, hash: sha256(bytes), mode: st.mode & 0o7777, ino: st.ino };
  } finally {
    await handle.close();
  }
}

export interface FileWrite {
  /** Where to write; a symlink is followed unless `symlinks: 'refuse'`. */
  path: string;
  /** The content; several buffers are written one after the other (no copy joins them). */
  data: string | Uint8Array | readonly Uint8Array[];
  /**
   * The snapshot the new content was computed from: the write is refused if the file changed
   * since. Without one, the file must not exist yet, or must pass the same type checks.
   */
  expected?: FileSnapshot;
  /** Mode of a file that does not exist yet (default 0o666 less the umask). */
  mode?: number;
  symlinks?: 'follow' | 'refuse';
}

export interface WriteOptions {
  /** Also rewrite read-only files (the new file keeps the read-only mode). */
  force?: boolean;
  /** Runs after the temporary files are written, before the checks and renames (tests use it). */
  beforeCommit?(): Promise<void> | void;
  /**
   * false: no fsync of the data and the folder. For a cache its reader checks and can rebuild
   * (the index pack), where a crash may cost the file but never a user's work; the rename stays atomic.
   */
  durable?: boolean;
}

/**
 * Writes one or more files. All are checked (type, links, mode, unchanged since their snapshot)
 * and written to temporary files before any is renamed into place; if any check fails nothing is
 * replaced. Each rename is atomic; a crash between two renames can leave some files new and some old.
 */
export async function writeFilesAtomic(writes: readonly FileWrite[], options: WriteOptions = {}): Promise<void> {
  const prepared: Array<{ write: FileWrite; target: string; tmp: string }> = [];
  try {
    for (const write of writes) {
      const target = write.expected?.target ?? (await resolveTarget(write.path, { symlinks: write.symlinks }, true));
      const st = await lstatOrUndefined(target);
      if (st) checkReplaceable(st, write.path, options);
      else if (write.expected) throw changed(write.path, 'it was deleted');
      const tmp = tempName(target);
      prepared.push({ write, target, tmp });
      await writeTemp(tmp, write.data, st, write.mode, options.durable !== false);
    }
    await options.beforeCommit?.();
    for (const p of prepared) await checkUnchanged(p.write, p.target, options);
    for (const p of prepared) {
      await fs.rename(p.tmp, p.target);
      liveTemps.delete(p.tmp);
    }
    if (options.durable !== false) for (const dir of new Set(prepared.map((p) => dirname(p.target)))) await syncDirectory(dir);
  } catch (err) {
    for (const p of prepared) await removeTemp(p.tmp);
    if (err instanceof FileWriteError) throw err;
    const path = prepared[prepared.length - 1]?.write.path ?? writes[0]?.path ?? '';
    throw new FileWriteError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'io', path);
  }
}

/** Writes one file; see writeFilesAtomic. */
export function writeFileAtomic(write: FileWrite, options: WriteOptions = {}): Promise<void> {
  return writeFilesAtomic([write], options);
}

/** Removes the temporary files of writes still under way (for signal handlers; also runs on exit). */
export function removeTempFilesSync(): void {
  for (const tmp of liveTemps) {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
  }
  liveTemps.clear();
}

/** The temporary files now on disk (tests look for leftovers by this pattern). */
export const TEMP_FILE_PATTERN = /\.flowmage-\d+-[0-9a-f]+\.tmp$/;

// ---- internals ----

const liveTemps = new Set<string>();
let exitHookInstalled = false;

function tempName(target: string): string {
  if (!exitHookInstalled) {
    process.once('exit', removeTempFilesSync);
    exitHookInstalled = true;
  }
  return join(dirname(target), `${basename(target)}.flowmage-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

async function resolveTarget(path: string, options: ReadOptions, mayBeMissing = false): Promise<string> {
  const st = mayBeMissing ? await lstatOrUndefined(path) : await fs.lstat(path);
  if (!st) return path;
  if (st.isSymbolicLink()) {
    if (options.symlinks === 'refuse') throw new FileWriteError(`${path} is a symbolic link; refusing to follow it`, 'symlink', path);
    const target = await fs.realpath(path).catch(() => undefined);
    if (!target) {
      if (mayBeMissing) throw new FileWriteError(`${path} is a symbolic link to a file that does not exist; refusing to create it`, 'symlink', path);
      throw new FileWriteError(`${path} is a dangling symbolic link`, 'symlink', path);
    }
    checkRegular(await fs.stat(target), path);
    return target;
  }
  checkRegular(st, path);
  return path;
}

function checkRegular(st: Stats, path: string): void {
  if (st.isFile()) return;
  const kind = st.isDirectory()
    ? 'a directory'
    : st.isFIFO()
      ? 'a FIFO'
      : st.isSocket()
        ? 'a socket'
        : st.isCharacterDevice() || st.isBlockDevice()
          ? 'a device'
          : 'not a regular file';
  throw new FileWriteError(`${path} is ${kind}, not a regular file; refusing to read or replace it`, 'not-regular', path);
}

function checkReplaceable(st: Stats, path: string, options: WriteOptions): void {
  checkRegular(st, path);
  if (st.nlink > 1)
    throw new FileWriteError(`${path} has ${st.nlink} hard links; replacing it would split them, so it is not written (copy it to its own file first)`, 'hard-links', path);
  if ((st.mode & 0o222) === 0 && !options.force) throw new FileWriteError(`${path} is read-only; not written (use --force to write it anyway)`, 'read-only', path);
}

async function writeTemp(tmp: string, data: FileWrite['data'], original: Stats | undefined, mode: number | undefined, durable: boolean): Promise<void> {
  const handle = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  liveTemps.add(tmp);
  try {
    // writeFile on a handle writes from its current position: the parts follow one another.
    if (Array.isArray(data)) for (const part of data as readonly Uint8Array[]) await handle.writeFile(part);
    else await handle.writeFile(data as string | Uint8Array);
    if (original) {
      // Keep owner and group when allowed (root rewriting a user's file); the mode always.
      await handle.chown(original.uid, original.gid).catch(() => undefined);
      await handle.chmod(original.mode & 0o7777);
    } else {
      await handle.chmod(mode ?? 0o666 & ~process.umask());
    }
    if (durable) await handle.sync();
  } finally {
    await handle.close();
  }
}

async function checkUnchanged(write: FileWrite, target: string, options: WriteOptions): Promise<void> {
  const st = await lstatOrUndefined(target);
  const snap = write.expected;
  if (!snap) {
    if (st) checkReplaceable(st, write.path, options);
    return;
  }
  if (!st) throw changed(write.path, 'it was deleted');
  checkReplaceable(st, write.path, options);
  if (st.ino !== snap.ino || st.size !== snap.size || st.mtimeMs !== snap.mtimeMs) throw changed(write.path, 'its size or modification time differs');
  const now = await readSnapshot(target, { symlinks: 'refuse' });
  if (now.hash !== snap.hash) throw changed(write.path, 'its content differs');
}

function changed(path: string, why: string): FileWriteError {
  return new FileWriteError(`${path} changed since it was read (${why}); not written, so nothing is lost: run again`, 'changed', path);
}

async function removeTemp(tmp: string): Promise<void> {
  await fs.rm(tmp, { force: true }).catch(() => undefined);
  liveTemps.delete(tmp);
}

async function syncDirectory(dir: string): Promise<void> {
  // Makes the rename durable; not every platform can open a directory, and that is fine.
  try {
    const h = await fs.open(dir, constants.O_RDONLY);
    await h.sync().catch(() => undefined);
    await h.close();
  } catch {
    /* best effort */
  }
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
