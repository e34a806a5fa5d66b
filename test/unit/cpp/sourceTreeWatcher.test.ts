// The source tree watcher (core/cpp/sourceTreeWatcher.ts), for clients that do not watch files for
// the server: one watch per directory (not per file), changes in nested and new directories
// reported, hidden and dependency directories left alone, nothing reported once closed.
import * as assert from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchTree, type TreeWatcher } from '../../../server/src/core/cpp/sourceTreeWatcher';

async function until(what: string, probe: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the source tree watcher', () => {
  let dir: string;
  let watcher: TreeWatcher | undefined;
  const seen: string[] = [];
  const errors: Error[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flowmage-watch-'));
    seen.length = 0;
    errors.length = 0;
    mkdirSync(join(dir, 'elements', 'ip'), { recursive: true });
    mkdirSync(join(dir, '.git'));
    mkdirSync(join(dir, 'node_modules', 'x'), { recursive: true });
    for (let i = 0; i < 50; i++) writeFileSync(join(dir, 'elements', 'ip', `e${i}.cc`), '// element\n');
  });
  afterEach(() => {
    watcher?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('watches each directory once, not each file, and skips hidden and dependency folders', () => {
    watcher = watchTree(
      dir,
      (p) => seen.push(p),
      (e) => errors.push(e),
    );
    // The root, elements/ and elements/ip/: 50 files make no watch of their own.
    assert.strictEqual(watcher.directories, 3);
    assert.deepStrictEqual(errors, []);
  });

  it('reports a file changed in a nested directory, and files in a directory created later', async () => {
    watcher = watchTree(
      dir,
      (p) => seen.push(p),
      (e) => errors.push(e),
    );
    writeFileSync(join(dir, 'elements', 'ip', 'e7.cc'), '// changed\n');
    await until('the change', () => seen.includes(join(dir, 'elements', 'ip', 'e7.cc')));
    mkdirSync(join(dir, 'elements', 'flow'));
    await until('the new directory', () => watcher!.directories === 4);
    writeFileSync(join(dir, 'elements', 'flow', 'new.hh'), '// new\n');
    await until('the new file', () => seen.includes(join(dir, 'elements', 'flow', 'new.hh')));
    assert.deepStrictEqual(errors, []);
  });

  it('watches a directory removed and created again (a branch switch), and not the removed one', async () => {
    watcher = watchTree(
      dir,
      (p) => seen.push(p),
      (e) => errors.push(e),
    );
    rmSync(join(dir, 'elements', 'ip'), { recursive: true, force: true });
    await until('the removed directory to be let go', () => watcher!.directories === 2);
    mkdirSync(join(dir, 'elements', 'ip'));
    await until('the directory watched again', () => watcher!.directories === 3);
    writeFileSync(join(dir, 'elements', 'ip', 'back.cc'), '// back\n');
    await until('the file in it', () => seen.includes(join(dir, 'elements', 'ip', 'back.cc')));
    assert.deepStrictEqual(errors, []);
  });

  it('reports nothing once closed', async () => {
    watcher = watchTree(
      dir,
      (p) => seen.push(p),
      (e) => errors.push(e),
    );
    watcher.close();
    assert.strictEqual(watcher.directories, 0);
    writeFileSync(join(dir, 'elements', 'ip', 'e1.cc'), '// changed\n');
    await new Promise((r) => setTimeout(r, 200));
    assert.deepStrictEqual(seen, []);
  });

  it('watches a root that is a single file', async () => {
    const file = join(dir, 'elements', 'ip', 'e3.cc');
    watcher = watchTree(
      file,
      (p) => seen.push(p),
      (e) => errors.push(e),
    );
    writeFileSync(file, '// changed\n');
    await until('the change', () => seen.includes(file));
  });
});
