// Finds the C++ files under the source roots. A missing or unreadable root is reported, never thrown.
import { promises as fs } from 'node:fs';
import { extname, join, resolve } from 'node:path';

export const CPP_EXTENSIONS = new Set(['.hh', '.cc', '.h', '.hpp', '.cpp', '.cxx', '.hxx']);

/** Directories never worth indexing (VCS metadata, dependencies, our own store). */
const SKIPPED_DIRS = new Set(['node_modules', 'CMakeFiles', '__pycache__']);

/** Whether the listing (and the watchers) skip a directory of this name: hidden ones, dependencies, build output. */
export function isSkippedDirectory(name: string): boolean {
  return name.startsWith('.') || SKIPPED_DIRS.has(name);
}

/** A glob matching every C++ source (file watchers). */
export const CPP_GLOB = `**/*.{${[...CPP_EXTENSIONS].map((e) => e.slice(1)).join(',')}}`;

export function isCppSource(path: string): boolean {
  return CPP_EXTENSIONS.has(extname(path).toLowerCase());
}

export interface SourceListing {
  files: string[];
  /** One sentence per root that could not be read. */
  problems: string[];
}

/**
 * Every C++ file under `roots`, sorted. Directories are read concurrently: one after the other,
 * each read waits for a round trip through the thread pool, and a tree of 150 directories took
 * twice as long to list (24-54 ms against 12-23 ms for FastClick).
 */
export async function listSourceFiles(roots: readonly string[], isCancelled: () => boolean = () => false): Promise<SourceListing> {
  const files = new Set<string>();
  const problems: string[] = [];
  const seenDirs = new Set<string>();
  const walk = async (dir: string, root: string): Promise<void> => {
    if (isCancelled()) return;
    let real: string;
    try {
      real = await fs.realpath(dir);
    } catch {
      return;
    }
    // A directory reached twice (a link back up the tree) is read once.
    if (seenDirs.has(real)) return;
    seenDirs.add(real);
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (dir === root) problems.push(`cannot read source path ${root}: ${(err as Error).message}`);
      return;
    }
    const subdirectories: Promise<void>[] = [];
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const full = join(dir, e.name);
      if (e.isDirectory() || (e.isSymbolicLink() && (await isDirectory(full)))) {
        if (!isSkippedDirectory(e.name)) subdirectories.push(walk(full, root));
      } else if (isCppSource(e.name)) files.add(full);
    }
    await Promise.all(subdirectories);
  };
  for (const root of roots) {
    const abs = resolve(root);
    let stat;
    try {
      stat = await fs.stat(abs);
    } catch {
      problems.push(`source path ${abs} does not exist`);
      continue;
    }
    if (stat.isFile()) {
      if (isCppSource(abs)) files.add(abs);
      else problems.push(`source path ${abs} is not a C++ file or a directory`);
      continue;
    }
    await walk(abs, abs);
  }
  return { files: [...files].sort(), problems };
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await fs.stat(path)).isDirectory();
  } catch {
    return false;
  }
}
