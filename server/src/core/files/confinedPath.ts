// Keeps a configured path (the feature store's) inside the folders FlowMage may write to: the
// workspace folder or the extension's storage. A repository must not be able to point the store
// at `../../victim/.bashrc`, an absolute path elsewhere, or ship a `.flowmage` symlink that leads
// outside: every directory below the allowed root is checked with lstat and never followed.
import { promises as fs } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';

export type ConfinedPath = { path: string; root: string } | { error: string };

/**
 * Resolves `value` (relative to the first root) and accepts it only if it lies inside one of
 * `roots` (lexically, before any symlink is followed; assertNoSymlinkedDirectories checks the rest).
 */
export function confinePath(value: string, roots: readonly string[], what = 'path'): ConfinedPath {
  const usable = roots.filter((r) => r && isAbsolute(r)).map((r) => resolve(r));
  if (!usable.length) return { error: `the ${what} "${value}" cannot be used: there is no workspace folder or extension storage to keep it in` };
  const path = isAbsolute(value) ? resolve(value) : resolve(usable[0], value);
  const root = usable.find((r) => isInside(r, path));
  if (!root || root === path)
    return {
      error: `the ${what} "${value}" resolves to ${path}, which is outside the workspace folder${usable.length > 1 ? ' and the extension storage' : ''}; FlowMage only writes inside them`,
    };
  return { path, root };
}

export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Checks that `dir` is `root` or below it and that no directory from `root` (exclusive) down to
 * `dir` is a symlink or anything but a directory; with `create`, missing ones are made (one at a
 * time, so a symlink planted meanwhile is still caught).
 */
export async function assertNoSymlinkedDirectories(root: string, dir: string, options: { create?: boolean } = {}): Promise<void> {
  const r = resolve(root);
  const d = resolve(dir);
  if (!isInside(r, d)) throw new Error(`${d} is outside ${r}`);
  let cur = r;
  for (const part of relative(r, d).split(sep).filter(Boolean)) {
    cur = resolve(cur, part);
    let st;
    try {
      st = await fs.lstat(cur);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      if (!options.create) continue;
      await fs.mkdir(cur).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e;
      });
      st = await fs.lstat(cur);
    }
    if (st.isSymbolicLink()) throw new Error(`${cur} is a symbolic link; FlowMage does not follow links on the way to its store`);
    if (!st.isDirectory()) throw new Error(`${cur} is not a directory`);
  }
}
