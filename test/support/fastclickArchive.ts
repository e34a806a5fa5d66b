// Upstream FastClick for tests: the shared archive (../shared/fastclick/fastclick-*.tar.gz beside
// the repository) extracted once into .cache/, never committed. FASTCLICK_DIR overrides it with a
// checkout. A missing archive is an error, not a skip: CI always has it, and a silent skip would
// hide a whole accuracy corpus.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Tests are bundled, so __dirname is wherever the bundle landed: walk up to the package root. */
function findRepoRoot(): string {
  for (let dir = __dirname; ; ) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'server'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}
const repoRoot = findRepoRoot();

/** The archive: FLOWMAGE_FASTCLICK_ARCHIVE, or the one in ../shared/fastclick/. */
export function fastclickArchive(): string {
  const explicit = process.env.FLOWMAGE_FASTCLICK_ARCHIVE;
  if (explicit) return resolve(explicit);
  const dir = resolve(repoRoot, '..', 'shared', 'fastclick');
  const found = existsSync(dir) ? readdirSync(dir).filter((f) => /^fastclick-.*\.tar\.gz$/.test(f)).sort() : [];
  if (!found.length) throw new Error(`no FastClick archive in ${dir} (set FLOWMAGE_FASTCLICK_ARCHIVE or FASTCLICK_DIR)`);
  return join(dir, found[found.length - 1]);
}

/** The root of an upstream FastClick source tree, extracting the archive on first use. */
export function fastclickSource(): string {
  if (process.env.FASTCLICK_DIR) return resolve(process.env.FASTCLICK_DIR);
  const archive = fastclickArchive();
  const hash = createHash('sha256').update(readFileSync(archive)).digest('hex').slice(0, 12);
  const dest = join(repoRoot, '.cache', 'fastclick-src', hash);
  const root = join(dest, 'fastclick');
  if (existsSync(join(root, 'elements'))) return root;
  // Extract beside the destination and rename, so an interrupted extraction is never taken as done.
  const tmp = `${dest}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  execFileSync('tar', ['-xzf', archive, '-C', tmp], { stdio: ['ignore', 'ignore', 'pipe'] });
  const top = readdirSync(tmp);
  if (top.length !== 1) throw new Error(`unexpected layout in ${archive}: ${top.join(', ')}`);
  mkdirSync(dest, { recursive: true });
  renameSync(join(tmp, top[0]), root);
  rmSync(tmp, { recursive: true, force: true });
  return root;
}
