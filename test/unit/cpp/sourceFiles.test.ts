// Listing the C++ files of a source tree (core/cpp/sourceFiles.ts): directories are read
// concurrently, yet the listing is sorted and complete, a directory reached twice through a link is
// read once, hidden and dependency directories are skipped, and a missing root is said.
import * as assert from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listSourceFiles } from '../../../server/src/core/cpp/sourceFiles';

describe('listing a source tree', () => {
  let dir: string;
  const file = (...parts: string[]) => {
    const path = join(dir, ...parts);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, '// test\n');
    return path;
  };

  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'flowmage-list-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lists every C++ file of a deep, wide tree, sorted', async () => {
    const expected: string[] = [];
    for (let i = 0; i < 12; i++) for (let d = 0; d < 4; d++) expected.push(file('tree', `d${i}`, ...Array.from({ length: d }, (_, k) => `n${k}`), `e${i}_${d}.hh`));
    file('tree', 'd0', 'README.md');
    const listing = await listSourceFiles([join(dir, 'tree')]);
    assert.deepStrictEqual(listing.files, [...expected].sort());
    assert.deepStrictEqual(listing.problems, []);
  });

  it('reads a directory reached again through a link once, and follows a link out of the tree', async () => {
    const inside = file('tree', 'elements', 'a.cc');
    symlinkSync('..', join(dir, 'tree', 'elements', 'up'));
    file('other', 'b.hh');
    symlinkSync(join(dir, 'other'), join(dir, 'tree', 'linked'));
    const listing = await listSourceFiles([join(dir, 'tree')]);
    assert.deepStrictEqual(listing.files, [inside, join(dir, 'tree', 'linked', 'b.hh')].sort());
  });

  it('skips hidden and dependency directories, and says which root is missing', async () => {
    const kept = file('tree', 'x.hh');
    file('tree', '.git', 'y.hh');
    file('tree', 'node_modules', 'z.hh');
    const missing = join(dir, 'nowhere');
    const listing = await listSourceFiles([join(dir, 'tree'), missing]);
    assert.deepStrictEqual(listing.files, [kept]);
    assert.deepStrictEqual(listing.problems, [`source path ${missing} does not exist`]);
  });

  it('stops reading once cancelled', async () => {
    for (let i = 0; i < 20; i++) file('tree', `d${i}`, 'a.hh');
    let asked = 0;
    const listing = await listSourceFiles([join(dir, 'tree')], () => ++asked > 1);
    assert.ok(listing.files.length < 20, `${listing.files.length} files listed after cancelling`);
  });
});
