import * as assert from 'node:assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileWriteError, readSnapshot, writeFileAtomic, writeFilesAtomic } from '../../../server/src/core/files/atomicWrite';
import { decodeUtf8Strict, lineEnding } from '../../../server/src/core/files/textFile';
import { LineIndex } from '../../../server/src/core/text';

describe('the atomic writer', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'flowmage-atomic-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes several files, each checked unchanged; one changed file means none is replaced', async () => {
    const a = join(dir, 'a.click');
    const b = join(dir, 'b.rules');
    writeFileSync(a, 'A1');
    writeFileSync(b, 'B1');
    const [sa, sb] = [await readSnapshot(a), await readSnapshot(b)];
    await assert.rejects(
      writeFilesAtomic(
        [
          { path: a, data: 'A2', expected: sa },
          { path: b, data: 'B2', expected: sb },
        ],
        { beforeCommit: () => writeFileSync(b, 'B1 edited') },
      ),
      (err: FileWriteError) => err.problem === 'changed' && err.path === b,
    );
    assert.strictEqual(readFileSync(a, 'utf8'), 'A1');
    assert.strictEqual(readFileSync(b, 'utf8'), 'B1 edited');
    assert.deepStrictEqual(readdirSync(dir).sort(), ['a.click', 'b.rules'], 'temporary files removed');
    await writeFilesAtomic([
      { path: a, data: 'A2', expected: await readSnapshot(a) },
      { path: join(dir, 'new.rules'), data: 'N', mode: 0o640 },
    ]);
    assert.strictEqual(readFileSync(a, 'utf8'), 'A2');
    assert.strictEqual(statSync(join(dir, 'new.rules')).mode & 0o777, 0o640);
  });

  it('writes content given in parts one after the other, over a longer file', async () => {
    const a = join(dir, 'pack');
    writeFileSync(a, 'an older and much longer content than the new one');
    const parts = [Buffer.from('header\n'), Buffer.alloc(0), Buffer.from('x'.repeat(100_000)), Buffer.from('end')];
    await writeFileAtomic({ path: a, data: parts, expected: await readSnapshot(a) });
    assert.strictEqual(readFileSync(a, 'latin1'), `header\n${'x'.repeat(100_000)}end`);
  });

  it('notices a same-size rewrite within the same mtime by its hash', async () => {
    const a = join(dir, 'a');
    writeFileSync(a, 'xxxx');
    const snap = await readSnapshot(a);
    const st = statSync(a);
    await assert.rejects(
      writeFileAtomic(
        { path: a, data: 'new', expected: snap },
        {
          beforeCommit: () => {
            writeFileSync(a, 'yyyy');
            // Same size, same mtime: only the content hash tells.
            utimesSync(a, st.atime, st.mtime);
          },
        },
      ),
      /changed since it was read \((its content differs|its size or modification time differs)\)/,
    );
    assert.strictEqual(readFileSync(a, 'utf8'), 'yyyy');
  });

  it('refuses FIFOs, directories and dangling links, and follows a symlink to its target', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    await assert.rejects(readSnapshot(fifo), /is a FIFO, not a regular file/);
    await assert.rejects(writeFileAtomic({ path: fifo, data: 'x' }), /is a FIFO/);
    await assert.rejects(writeFileAtomic({ path: dir, data: 'x' }), /is a directory/);
    symlinkSync(join(dir, 'missing'), join(dir, 'dangling'));
    await assert.rejects(writeFileAtomic({ path: join(dir, 'dangling'), data: 'x' }), /symbolic link to a file that does not exist/);
    writeFileSync(join(dir, 'target'), 'old');
    chmodSync(join(dir, 'target'), 0o600);
    symlinkSync('target', join(dir, 'link'));
    await writeFileAtomic({ path: join(dir, 'link'), data: 'new' });
    assert.strictEqual(readFileSync(join(dir, 'target'), 'utf8'), 'new');
    assert.strictEqual(statSync(join(dir, 'target')).mode & 0o777, 0o600);
    await assert.rejects(writeFileAtomic({ path: join(dir, 'link'), data: 'x', symlinks: 'refuse' }), /is a symbolic link; refusing/);
  });
});

describe('strict text decoding', () => {
  it('names the first byte that is not UTF-8, with its line', () => {
    const bytes = Buffer.concat([Buffer.from('ok é\nline two '), Buffer.from([0xff]), Buffer.from(' end')]);
    assert.throws(() => decodeUtf8Strict(bytes, 'x.click'), /x\.click is not valid UTF-8 \(byte 0xff at offset 15, line 2\)/);
    assert.throws(() => decodeUtf8Strict(Buffer.from([0x61, 0xe7, 0x62])), /byte 0xe7 at offset 1, line 1/);
    assert.throws(() => decodeUtf8Strict(Buffer.from([0x61, 0xe7])), /byte 0xe7 at offset 1/);
  });

  it('round-trips valid UTF-8 byte for byte, a byte-order mark included', () => {
    const bytes = Buffer.from('\ufeffa :: B; // ça\r\n', 'utf8');
    assert.deepStrictEqual(Buffer.from(decodeUtf8Strict(bytes), 'utf8'), bytes);
  });

  it('LineIndex gives a BOM no column and finds the line ending', () => {
    const idx = new LineIndex('\ufeffab\ncd');
    assert.deepStrictEqual(idx.position(1), { line: 0, character: 0 });
    assert.deepStrictEqual(idx.position(3), { line: 0, character: 2 });
    assert.strictEqual(idx.offset({ line: 0, character: 1 }), 2);
    assert.deepStrictEqual(idx.position(5), { line: 1, character: 1 });
    assert.strictEqual(lineEnding('a\r\nb\n'), '\r\n');
    assert.strictEqual(lineEnding('a\nb\r\n'), '\n');
  });
});
