// Where the tests find upstream FastClick's source: FASTCLICK_DIR when set (a checkout of your own),
// else the archive in ../shared/fastclick (or FLOWMAGE_FASTCLICK_ARCHIVE), extracted once into
// .cache/fastclick/ by scripts/build-fastclick.sh --extract-only. A missing archive is an error, not
// a skip: CI always has it, and a silently skipped suite proves nothing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository root: the first folder up from here with a package.json (tests are bundled per file,
 * so __dirname is the test's own folder under out/, at any depth). */
function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'scripts'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no repository root above ${from}`);
  }
}

export const REPO_ROOT = findRoot(__dirname);
export const BUILD_SCRIPT = join(REPO_ROOT, 'scripts', 'build-fastclick.sh');

let cached: string | undefined;

/** The FastClick source tree (the folder holding `elements/` and `conf/`). Extracts on first use. */
export function fastclickSourceDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FASTCLICK_DIR) {
    if (!existsSync(join(env.FASTCLICK_DIR, 'elements'))) {
      throw new Error(`FASTCLICK_DIR=${env.FASTCLICK_DIR} holds no elements/ folder: is it a FastClick checkout?`);
    }
    return env.FASTCLICK_DIR;
  }
  if (cached) return cached;
  const run = spawnSync('bash', [BUILD_SCRIPT, '--extract-only'], { cwd: REPO_ROOT, encoding: 'utf8', env });
  const dir = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !dir || !existsSync(join(dir, 'elements'))) {
    throw new Error(`cannot extract FastClick's source for the tests (set FASTCLICK_DIR to a checkout, or provide the archive):\n${run.stderr.trim()}`);
  }
  cached = dir;
  return dir;
}
