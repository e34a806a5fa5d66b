import * as assert from 'node:assert';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FeatureTracker } from '../../../server/src/core/analysis/featureTracker';
import { ElementIndex } from '../../../server/src/core/cpp/elementIndex';
import { familyOf } from '../../../server/src/core/cpp/families';
import { IndexCache } from '../../../server/src/core/index/indexCache';
import { FeatureStore } from '../../../server/src/core/store/featureStore';

const FIXTURES = resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'elements');

async function run(root: string, cacheDir: string) {
  const cache = await IndexCache.open(cacheDir);
  const index = await ElementIndex.create({ cache });
  await index.build([root]);
  // A store in memory, as the CLI without --store: what a warm start reuses comes from the index cache alone.
  const tracker = new FeatureTracker(index, FeatureStore.memory(root));
  await tracker.analyzeAll();
  await cache.save();
  return { tracker, cache };
}

const view = (t: FeatureTracker) =>
  t.all().map((e) => ({ name: e.info.clickName, hash: e.slice.hash, chars: e.slice.chars, features: e.features, threading: e.threading, files: e.files, missing: e.missing }));

describe('element snapshots in the persistent index', function () {
  this.timeout(60_000);
  let root: string;
  let cacheDir: string;

  beforeEach(() => {
    const tmp = mkdtempSync(join(tmpdir(), 'flowmage-snapshots-'));
    root = join(tmp, 'tree');
    cacheDir = join(tmp, 'cache');
    cpSync(FIXTURES, root, { recursive: true });
  });

  afterEach(() => rmSync(join(root, '..'), { recursive: true, force: true }));

  it('a warm start takes every element from its snapshot (no analysis, no scope) with the same features, threading and slice', async () => {
    const cold = await run(root, cacheDir);
    assert.strictEqual(cold.tracker.snapshotHits, 0);
    assert.ok(cold.tracker.analysisRuns > 0);
    const warm = await run(root, cacheDir);
    const n = warm.tracker.all().length;
    assert.ok(n > 3);
    assert.strictEqual(warm.tracker.snapshotHits, n, 'every element from its snapshot');
    assert.strictEqual(warm.tracker.analysisRuns, 0, 'nothing analyzed again, although the store was empty');
    assert.deepStrictEqual(view(warm.tracker), view(cold.tracker));
    assert.ok(
      warm.tracker.all().some((e) => e.threading),
      'threading verdicts kept',
    );
    // The slice's text is built on demand, and is the cold one.
    for (const e of warm.tracker.all()) assert.strictEqual(e.slice.text, cold.tracker.get(e.info.clickName)!.slice.text, e.info.clickName);
    assert.strictEqual(warm.cache.isDirty, false, 'an unchanged tree writes nothing');
  });

  it('a changed file invalidates the snapshots of exactly the elements whose scope read it', async () => {
    const cold = await run(root, cacheDir);
    const policer = join(root, 'elements', 'flowmage', 'ipolicer.cc');
    const readers = cold.tracker
      .all()
      .filter((e) => e.files.includes(policer))
      .map((e) => e.info.clickName);
    assert.ok(readers.length > 0);
    writeFileSync(policer, readFileSync(policer, 'utf8') + '\n// a comment\n');
    const warm = await run(root, cacheDir);
    const all = warm.tracker.all();
    assert.strictEqual(warm.tracker.snapshotHits, all.length - readers.length);
    for (const name of readers) assert.ok(!warm.tracker.get(name)!.fromSnapshot, `${name} analyzed again`);
    assert.strictEqual(warm.tracker.analysisRuns, readers.length);
    assert.deepStrictEqual(
      view(warm.tracker).map((e) => [e.name, e.features]),
      view(cold.tracker).map((e) => [e.name, e.features]),
    );
    // The next start takes them from their new snapshots.
    const third = await run(root, cacheDir);
    assert.strictEqual(third.tracker.snapshotHits, all.length);
  });

  it('a file that starts defining a type an element lacked invalidates its snapshot', async () => {
    const cold = await run(root, cacheDir);
    const lacking = cold.tracker.all().find((e) => e.missing.length);
    if (!lacking) return assert.fail('the fixtures should hold an element with a missing base or state type');
    writeFileSync(join(root, 'elements', 'flowmage', 'zz_missing.hh'), `#ifndef ZZ\n#define ZZ\nclass ${lacking.missing[0]} {\n  int x;\n};\n#endif\n`);
    const warm = await run(root, cacheDir);
    assert.ok(!warm.tracker.get(lacking.info.clickName)!.fromSnapshot);
    assert.ok(warm.tracker.snapshotHits < warm.tracker.all().length);
  });

  describe('the element table', () => {
    const table = (index: ElementIndex) =>
      index.elements().map((e) => ({
        name: e.clickName,
        cls: e.className,
        header: e.headerFile,
        sources: e.sourceFiles,
        exported: e.exported,
        aliasOf: e.aliasOf,
        family: familyOf(index, e.clickName),
      }));

    async function build(cacheDir: string, root: string) {
      const cache = await IndexCache.open(cacheDir);
      const index = await ElementIndex.create({ cache });
      await index.build([root], { parse: false });
      return { cache, index };
    }

    it('a warm start takes the element table from the cache: families without reading any model', async () => {
      // A variant of IPolicer (derived, same stem, exported under a second name) makes a family.
      writeFileSync(
        join(root, 'elements', 'flowmage', 'ipolicermp.hh'),
        '#include "ipolicer.hh"\nclass IPolicerMP : public IPolicer { public:\n    const char *class_name() const override { return "IPolicerMP"; }\n};\n',
      );
      writeFileSync(join(root, 'elements', 'flowmage', 'ipolicermp.cc'), '#include "ipolicermp.hh"\nEXPORT_ELEMENT(IPolicerMP)\nEXPORT_ELEMENT(IPolicerMP-IPolicerShared)\n');
      const cold = await build(cacheDir, root);
      const coldTable = table(cold.index);
      assert.strictEqual(cold.index.tableFromCache, false);
      await cold.cache.save();
      const warm = await build(cacheDir, root);
      const warmTable = table(warm.index);
      assert.strictEqual(warm.index.tableFromCache, true);
      assert.strictEqual(warm.cache.stats.modelHits + warm.cache.stats.modelMisses, 0, 'no model read for the table nor the families');
      assert.deepStrictEqual(warmTable, coldTable);
      assert.ok(
        coldTable.some((e) => e.family.length),
        'the fixtures hold a family',
      );
      // A class and its documentation are read from the header's model when asked for.
      for (const e of cold.index.elements()) {
        const w = warm.index.element(e.clickName)!;
        assert.strictEqual(w.cls.nameStart, e.cls.nameStart);
        assert.deepStrictEqual(w.cls.bases, e.cls.bases);
        assert.deepStrictEqual(w.doc, e.doc);
      }
      assert.deepStrictEqual(warm.index.problems, cold.index.problems);
    });

    it('is built again when a file changed', async () => {
      const cold = await build(cacheDir, root);
      table(cold.index);
      await cold.cache.save();
      const policer = join(root, 'elements', 'flowmage', 'ipolicer.cc');
      writeFileSync(policer, readFileSync(policer, 'utf8') + '\n// a comment\n');
      const warm = await build(cacheDir, root);
      assert.deepStrictEqual(table(warm.index), table(cold.index));
      assert.strictEqual(warm.index.tableFromCache, false);
    });
  });

  it('releaseModels(): once the pack is written the parsed models leave memory and are read back from it', async () => {
    const cache = await IndexCache.open(cacheDir);
    const index = await ElementIndex.create({ cache });
    await index.build([root]);
    const tracker = new FeatureTracker(index, FeatureStore.memory(root));
    await tracker.analyzeAll();
    const before = view(tracker);
    const files = [...new Set(index.elements().flatMap((e) => [e.headerFile, ...e.sourceFiles]))];
    const models = new Map(files.map((f) => [f, JSON.stringify({ ...index.model(f)!, text: undefined })]));
    await cache.save();
    assert.ok(index.parsedCount > 10);
    assert.strictEqual(index.releaseModels(), true);
    tracker.rebind();
    assert.strictEqual(index.parsedCount, 0, 'no model left in memory');
    assert.ok(
      tracker.all().every((t) => t.info === index.element(t.info.clickName)),
      'the tracker holds the new element infos',
    );
    // Read back from the pack on disk (the cache never holds the body in memory).
    for (const [f, json] of models) assert.strictEqual(JSON.stringify({ ...index.model(f)!, text: undefined }), json, f);
    assert.ok(cache.stats.modelHits >= models.size);
    assert.deepStrictEqual(view(tracker), before);
  });
});
