import * as assert from 'node:assert';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ElementIndex } from '../../../server/src/core/cpp/elementIndex';
import { IndexCache } from '../../../server/src/core/index/indexCache';
import { FIXTURES, fixtureElements } from './fixtureIndex';

describe('the element index', () => {
  it('finds every element by the name class_name() returns, with its files and export', async () => {
    const index = await fixtureElements();
    const psd = index.element('IPortScanDetector')!;
    assert.strictEqual(psd.className, 'IPortScanDetector');
    assert.strictEqual(psd.headerFile, join(FIXTURES, 'elements', 'flowmage', 'iportscandetector.hh'));
    assert.deepStrictEqual(psd.sourceFiles, [join(FIXTURES, 'elements', 'flowmage', 'iportscandetector.cc')]);
    assert.strictEqual(psd.exported, true);
    assert.strictEqual(index.element('Element'), undefined, 'abstract bases are not elements');
    assert.strictEqual(index.element('IFlowManager'), undefined, 'templates are not elements');
    assert.deepStrictEqual(
      index.elementsInFile(psd.headerFile).map((e) => e.clickName),
      ['IPortScanDetector'],
    );
  });

  it('attaches the header documentation: synopsis, keywords and example', async () => {
    const index = await fixtureElements();
    const doc = index.element('IPortScanDetector')!.doc!;
    assert.strictEqual(doc.synopsis, 'IPortScanDetector([LIMIT, SHARED, SIZE])');
    assert.strictEqual(doc.category, 'flowmage');
    assert.deepStrictEqual(
      doc.items.map((i) => i.keyword),
      ['LIMIT', 'SHARED', 'SIZE'],
    );
    assert.match(doc.example, /IPortScanDetector\(LIMIT 16\)/);
    assert.deepStrictEqual(doc.seeAlso, ['IPolicer', 'IFlowManager']);
    assert.deepStrictEqual(
      index.element('AverageCounter')!.doc!.items.map((i) => i.keyword),
      ['IGNORE'],
    );
  });

  it('finds classes across files, nearest first', async () => {
    const index = await fixtureElements();
    const [flowState] = index.findClasses('FlowStateElement', join(FIXTURES, 'elements', 'flow', 'flowcounter.hh'));
    assert.strictEqual(flowState.file, join(FIXTURES, 'include', 'click', 'flow', 'flowelement.hh'));
    assert.strictEqual(index.define('TCP_SESSION')?.value.startsWith('9/06!'), true);
  });

  it('reports a missing root instead of failing', async () => {
    const index = await ElementIndex.create();
    const stats = await index.build([join(FIXTURES, 'does-not-exist')]);
    assert.strictEqual(stats.elements, 0);
    assert.match(index.problems[0], /does not exist/);
  });

  it("takes a listing it is given (another build's, of the same roots) instead of listing the roots again", async () => {
    const first = await fixtureElements();
    const listing = first.listing!;
    assert.ok(listing.files.length > 10);
    // A listing without one of the element's files: the files are what the listing says, not what the roots hold.
    const without = listing.files.filter((f) => !f.endsWith('iportscandetector.hh'));
    const index = await ElementIndex.create();
    await index.build([FIXTURES], { previous: { listing: { files: without, problems: ['a problem of that listing'] }, fileStat: () => undefined } });
    assert.strictEqual(index.fileCount, without.length);
    assert.strictEqual(index.element('IPortScanDetector'), undefined);
    assert.ok(index.element('IPolicer'));
    assert.ok(index.problems.includes('a problem of that listing'));
  });

  it('takes the stats that build found with its listing instead of stating the files again (the cache decides what is read)', async () => {
    const cache = IndexCache.memory();
    const first = await ElementIndex.create({ cache });
    await first.build([FIXTURES]);
    const listing = first.listing!;
    const reread = listing.files.find((f) => f.endsWith('ipolicer.cc'))!;
    const second = await ElementIndex.create({ cache });
    const stats = await second.build([FIXTURES], {
      previous: {
        listing,
        // As found then, but for one file given another mtime: it is read again.
        fileStat: (path) => {
          const st = first.fileStat(path);
          return st && path === reread ? { ...st, mtimeMs: st.mtimeMs + 1 } : st;
        },
      },
    });
    assert.strictEqual(stats.cachedFiles, listing.files.length - 1);
    assert.ok(second.element('IPolicer'));
  });

  it('lists the roots itself when given stats without a listing (the server, with the stats the index child handed over)', async () => {
    const cache = IndexCache.memory();
    const first = await ElementIndex.create({ cache });
    await first.build([FIXTURES]);
    const files = first.listing!.files;
    const asked: string[] = [];
    const second = await ElementIndex.create({ cache });
    const stats = await second.build([FIXTURES], {
      previous: {
        listing: undefined,
        // Stats for all but one file: that one is stated here.
        fileStat: (path) => {
          asked.push(path);
          return path.endsWith('ipolicer.cc') ? undefined : first.fileStat(path);
        },
      },
    });
    assert.deepStrictEqual([...asked].sort(), [...files].sort(), 'asked for every listed file');
    assert.strictEqual(stats.files, files.length);
    assert.strictEqual(stats.cachedFiles, files.length, 'all known: the one without a stat was stated');
    assert.ok(second.element('IPolicer'));
  });

  describe('when files change', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'flowmage-index-'));
      cpSync(FIXTURES, dir, { recursive: true });
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('finds a #define added after a search found it nowhere (the search is remembered only until a file changes)', async () => {
      const index = await ElementIndex.create();
      await index.build([dir]);
      assert.strictEqual(index.define('MY_LATE_RULE'), undefined);
      assert.strictEqual(index.define('MY_LATE_RULE'), undefined);
      const file = join(dir, 'elements', 'laterule.hh');
      writeFileSync(file, '#define MY_LATE_RULE "12/0/ffffffff:HASH-3"\n');
      await index.updateFile(file);
      assert.deepStrictEqual(index.define('MY_LATE_RULE'), { value: '12/0/ffffffff:HASH-3', file });
      unlinkSync(file);
      index.removeFile(file);
      assert.strictEqual(index.define('MY_LATE_RULE'), undefined);
    });

    it('adds, changes and removes elements, and keeps unreadable C++ from breaking the rest', async () => {
      const index = await ElementIndex.create();
      await index.build([dir]);
      const n = index.elements().length;
      const added = join(dir, 'elements', 'mine.hh');
      writeFileSync(added, 'class Mine : public BatchElement { public:\n  const char *class_name() const override { return "Mine"; }\n};\n');
      assert.strictEqual(await index.updateFile(added), true);
      assert.strictEqual(index.elements().length, n + 1);
      assert.strictEqual(await index.updateFile(added), false, 'unchanged content is not an update');
      writeFileSync(added, 'class Mine : public BatchElement { public:\n  const char *class_name() const override { return "Yours"; }\n};\n');
      await index.updateFile(added);
      assert.ok(index.element('Yours') && !index.element('Mine'));
      writeFileSync(join(dir, 'elements', 'garbage.cc'), '}}}{{{ class class class "unterminated \u0000');
      await index.updateFile(join(dir, 'elements', 'garbage.cc'));
      unlinkSync(added);
      await index.updateFile(added);
      assert.strictEqual(index.elements().length, n);
    });

    it('reports duplicate Click names once and keeps the first', async () => {
      mkdirSync(join(dir, 'elements', 'zz'));
      writeFileSync(join(dir, 'elements', 'zz', 'dup.hh'), 'class Dup : public BatchElement { public:\n  const char *class_name() const override { return "IPolicer"; }\n};\n');
      const index = await ElementIndex.create();
      await index.build([dir]);
      assert.strictEqual(index.element('IPolicer')!.className, 'IPolicer');
      assert.ok(index.problems.some((p) => /duplicate element IPolicer/.test(p)));
    });
  });
});
