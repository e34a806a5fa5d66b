// Where the persistent index lives in a storage folder (core/index/indexCache.ts): known before
// anything else loads, so that a server can tell a cold start from its environment alone
// (earlyIndexProcess.ts).
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const PACK_NAME = 'index.pack';

/** Whether the pack folder `cacheDir` holds a pack (no: the next index there is cold). */
export function hasPack(cacheDir: string): boolean {
  return existsSync(join(cacheDir, PACK_NAME));
}

/** The pack's folder in the storage folder `storage` (the editor's: the CLI's is `.flowmage/index`). */
export function indexCacheDirOf(storage: string): string {
  return join(storage, 'index');
}
