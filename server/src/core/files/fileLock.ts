// A lock beside a file (`FILE.lock`), so several processes (CLI runs, editor windows) can
// read-merge-write it without losing each other's changes. The lock file is created with O_EXCL
// and holds `pid host time`; a lock whose process is gone (same host) or that is older than
// STALE_MS is stale and is broken. Saves hold the lock for milliseconds.
import { constants, promises as fs } from 'node:fs';
import { hostname } from 'node:os';

const STALE_MS = 30_000;

export class FileLockTimeout extends Error {}

export interface LockOptions {
  /** How long to wait for another holder (default 15 s). */
  timeoutMs?: number;
  staleMs?: number;
}

/** Runs `fn` while holding `${file}.lock`. */
export async function withFileLock<T>(file: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lock = `${file}.lock`;
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  const staleMs = options.staleMs ?? STALE_MS;
  let holder = '';
  for (;;) {
    try {
      const h = await fs.open(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
      await h.writeFile(`${process.pid} ${hostname()} ${Date.now()}\n`);
      await h.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    holder = await fs.readFile(lock, 'utf8').catch(() => '');
    if (await isStale(lock, holder, staleMs)) {
      await breakLock(lock, holder);
      continue;
    }
    if (Date.now() > deadline) throw new FileLockTimeout(`${file} is locked by ${describe(holder)} (${lock}); try again, or remove the lock file if that process is gone`);
    await new Promise((res) => setTimeout(res, 5 + Math.random() * 25));
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lock, { force: true }).catch(() => undefined);
  }
}

async function isStale(lock: string, holder: string, staleMs: number): Promise<boolean> {
  const [pid, host, time] = holder.trim().split(' ');
  // An empty lock is one being written right now, unless it is old.
  const age =
    Date.now() -
    (Number(time) ||
      (await fs.lstat(lock).then(
        (s) => s.mtimeMs,
        () => Date.now(),
      )));
  if (age > staleMs) return true;
  if (host === hostname() && Number(pid) > 0) return !alive(Number(pid));
  return false;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes a stale lock, unless another process replaced it with a fresh one meanwhile. */
async function breakLock(lock: string, holder: string): Promise<void> {
  const aside = `${lock}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await fs.rename(lock, aside);
  } catch {
    return; // someone else broke it first
  }
  const moved = await fs.readFile(aside, 'utf8').catch(() => '');
  // A fresh lock taken between our read and our rename goes back (link fails if a newer one exists).
  if (moved !== holder) await fs.link(aside, lock).catch(() => undefined);
  await fs.rm(aside, { force: true });
}

function describe(holder: string): string {
  const [pid, host] = holder.trim().split(' ');
  return pid ? `process ${pid}${host && host !== hostname() ? ` on ${host}` : ''}` : 'another process';
}
