// Loaded before the rest of the language server (server.ts imports it first). When the client's
// storage folder (STORAGE_HINT_ENV) holds no pack, the start is cold, and the index's child process
// is forked at once: while the server's own bundle loads, not once initialize arrives, a fifth of a
// second later. initialize decides (PreparedChild in childIndexRun.ts): the process is taken when
// its storage folder is initialize's, and stopped otherwise. It imports nothing heavy.
import { indexProcessScript, prepareIndexProcess, type PreparedIndexProcess } from '../core/index/indexProcess';
import { hasPack, indexCacheDirOf } from '../core/index/packLocation';
import { STORAGE_HINT_ENV } from './storageHint';

let early: { cacheDir: string; prepared: PreparedIndexProcess } | undefined;

/** The child forked at load for the pack folder `cacheDir`, if any (given once); one forked for another folder is stopped. */
export function takeEarlyIndexProcess(cacheDir: string): PreparedIndexProcess | undefined {
  const e = early;
  early = undefined;
  if (!e) return undefined;
  if (e.cacheDir === cacheDir) return e.prepared;
  e.prepared.dispose();
  return undefined;
}

const storage = process.env[STORAGE_HINT_ENV];
if (storage) {
  const cacheDir = indexCacheDirOf(storage);
  if (!hasPack(cacheDir)) early = { cacheDir, prepared: prepareIndexProcess(indexProcessScript()) };
}
