// Watches a source tree with one fs.watch per directory, for clients that do not watch files for
// the server. Node 20's recursive fs.watch on Linux opens a watch on, and stats, every file of the
// tree: on upstream FastClick 2,500 inotify watches and a tenth of a second of the server's main
// thread at start-up, while the cold index's child needs the CPU. A directory's watch already
// reports changes to the files in it. Directories created later are watched as they appear, and
// those removed are let go (one created again is watched anew).
import { readdirSync, realpathSync, statSync, watch, type FSWatcher } from 'node:fs';
import { join, sep } from 'node:path';
import { isSkippedDirectory } from './sourceFiles';

export interface TreeWatcher {
  /** How many directories are watched (one watch each). */
  readonly directories: number;
  close(): void;
}

/**
 * Calls `onChange` with the path of every entry created, changed or removed under `root` (a
 * directory, or a single file). `onError` hears of a watch that could not be set up or failed;
 * the others go on.
 */
export function watchTree(root: string, onChange: (path: string) => void, onError: (err: Error) => void): TreeWatcher {
  const watchers = new Map<string, FSWatcher>();
  /** Each watched directory's real path, and the set of them: symlinked directories are followed once. */
  const realPaths = new Map<string, string>();
  const reals = new Set<string>();
  let closed = false;

  /** Lets go of the watches on `top` and below: that directory was removed, or replaced. */
  const forget = (top: string) => {
    for (const [dir, w] of watchers) {
      if (dir !== top && !dir.startsWith(top + sep)) continue;
      w.close();
      watchers.delete(dir);
      reals.delete(realPaths.get(dir)!);
      realPaths.delete(dir);
    }
  };

  const watchOne = (path: string, isDir: boolean) => {
    try {
      const w = watch(path, { persistent: false }, (event, name) => {
        if (!isDir) return onChange(path);
        if (!name) return;
        const full = join(path, name.toString());
        onChange(full);
        if (event !== 'rename') return;
        // A directory removed, moved away or created (or moved in): its old watches go, and one
        // there now is watched with what it already holds.
        forget(full);
        if (!isSkippedDirectory(name.toString()) && isDirectory(full)) addTree(full);
      });
      w.on('error', (err) => {
        // A removed directory's watch ends with an error: nothing to say.
        forget(path);
        if (isDirectory(path)) onError(err);
      });
      watchers.set(path, w);
    } catch (err) {
      onError(err instanceof Error ? err : new Error(String(err)));
    }
  };

  const addTree = (top: string) => {
    const stack = [top];
    while (stack.length && !closed) {
      const dir = stack.pop()!;
      let real: string;
      try {
        real = realpathSync(dir);
      } catch {
        continue;
      }
      // Symlinked directories are followed once (a link back up would loop).
      if (reals.has(real)) continue;
      reals.add(real);
      realPaths.set(dir, real);
      watchOne(dir, true);
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of entries) {
        if (isSkippedDirectory(e.name)) continue;
        const full = join(dir, e.name);
        if (e.isDirectory() || (e.isSymbolicLink() && isDirectory(full))) stack.push(full);
      }
    }
  };

  if (isDirectory(root)) addTree(root);
  else watchOne(root, false);

  return {
    get directories() {
      return watchers.size;
    },
    close() {
      closed = true;
      for (const w of watchers.values()) w.close();
      watchers.clear();
      realPaths.clear();
      reals.clear();
    },
  };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
