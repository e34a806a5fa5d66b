import * as assert from 'node:assert';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FeatureTracker } from '../../../server/src/core/analysis/featureTracker';
import { ElementIndex } from '../../../server/src/core/cpp/elementIndex';
import type { CppFileModel } from '../../../server/src/core/cpp/model';
import { IndexCache, PACK_NAME } from '../../../server/src/core/index/indexCache';
import { FeatureStore } from '../../../server/src/core/store/featureStore';

const FIXTURES = resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'elements');

/** Every model the index holds, with its text left out (the cache never stores it). */
function models(index: ElementIndex): Map<string, Omit<CppFileModel, 'text'>> {
  const out = new Map<string, Omit<CppFileModel, 'text'>>();
  for (const e of index.elements()) {
    for (const f of [e.headerFile, ...e.sourceFiles]) {
      const m = index.model(f)!;
      const { text: _t, ...rest } = m;
      // Read every body (cached ones are parsed on first read).
      out.set(f, JSON.parse(JSON.stringify(rest)));
    }
  }
  return out;
}

async function indexWith(root: string, cache: IndexCache | undefined) {
  const index = await ElementIndex.create({ cache });
  const built = await index.build([root]);
  const tracker = new FeatureTracker(index, FeatureStore.memory(root));
  await tracker.analyzeAll();
  return { index, built, tracker };
}

describe('persistent index cache', function () {
  this.timeout(60_000);
  let root: string;
  let cacheDir: string;

  beforeEach(() => {
    const tmp = mkdtempSync(join(tmpdir(), 'flowmage-index-cache-'));
    root = join(tmp, 'tree');
    cacheDir = join(tmp, 'cache');
    cpSync(FIXTURES, root, { recursive: true });
  });

  afterEach(() => rmSync(join(root, '..'), { recursive: true, force: true }));

  it('a warm start parses nothing and gives the same models and features as a cold one', async () => {
    const cold = await indexWith(root, await IndexCache.open(cacheDir));
    const coldCache = (cold.index as unknown as { cache: IndexCache }).cache;
    assert.strictEqual(cold.built.cachedFiles, 0);
    assert.ok(coldCache.stats.modelMisses > 0);
    await coldCache.save();

    const cache = await IndexCache.open(cacheDir);
    assert.deepStrictEqual(cache.warnings, []);
    const warm = await indexWith(root, cache);
    assert.strictEqual(warm.built.cachedFiles, warm.built.files, 'every file known by size and mtime');
    assert.strictEqual(cache.stats.modelMisses, 0, 'no file parsed');
    // The element table and every element's analysis come from the cache: models are read only when asked for.
    assert.strictEqual(cache.stats.modelHits, 0);
    assert.deepStrictEqual(models(warm.index), models(cold.index));
    assert.ok(cache.stats.modelHits > 0);
    assert.deepStrictEqual(
      warm.tracker.all().map((t) => [t.info.clickName, t.slice.hash, t.features]),
      cold.tracker.all().map((t) => [t.info.clickName, t.slice.hash, t.features]),
    );
    // Name tables stay prototype-less after the round trip (core/dict.ts).
    const withTypedefs = [...models(warm.index).keys()].map((f) => warm.index.model(f)!).find((m) => m.typedefs);
    assert.strictEqual(Object.getPrototypeOf(withTypedefs!.typedefs), null);
  });

  it('re-parses only the file whose content changed; a touched file keeps its model (same hash)', async () => {
    const first = await indexWith(root, await IndexCache.open(cacheDir));
    await (first.index as unknown as { cache: IndexCache }).cache.save();
    const policer = join(root, 'elements', 'flowmage', 'ipolicer.cc');
    const counter = join(root, 'elements', 'flowmage', 'iflowcounter.cc');
    writeFileSync(policer, readFileSync(policer, 'utf8') + '\n// a comment\n');
    const later = new Date(Date.now() + 5000);
    utimesSync(counter, later, later);
    const cache = await IndexCache.open(cacheDir);
    const warm = await indexWith(root, cache);
    assert.strictEqual(warm.built.cachedFiles, warm.built.files - 2, 'the two files whose stat changed are read');
    assert.strictEqual(cache.stats.modelMisses, 1, 'only the edited file is parsed');
    assert.ok(warm.index.model(policer)!.text.endsWith('// a comment\n'));
  });

  it('a save reads the unchanged models back from the pack on disk: the next start still parses nothing', async () => {
    const cache = await IndexCache.open(cacheDir);
    const first = await indexWith(root, cache);
    await cache.save();
    const policer = join(root, 'elements', 'flowmage', 'ipolicer.cc');
    writeFileSync(policer, readFileSync(policer, 'utf8') + '\n// changed while the server runs\n');
    assert.deepStrictEqual(await first.tracker.filesChanged([policer]), [], 'a comment changes no slice');
    await cache.save();
    const next = await IndexCache.open(cacheDir);
    const warm = await indexWith(root, next);
    assert.strictEqual(warm.built.cachedFiles, warm.built.files);
    assert.strictEqual(next.stats.modelMisses, 0, 'every model, the changed one and the unchanged ones, came from the pack');
    assert.match(warm.index.model(policer)!.text, /changed while the server runs/);
    assert.deepStrictEqual(models(warm.index), models(first.index));
  });

  it('sets a corrupt pack aside with a warning, and a corrupt model is parsed again', async () => {
    const first = await indexWith(root, await IndexCache.open(cacheDir));
    const firstCache = (first.index as unknown as { cache: IndexCache }).cache;
    await firstCache.save();
    const pack = join(cacheDir, PACK_NAME);
    const bytes = readFileSync(pack, 'utf8');
    // Damage one model's JSON (after the header line): that file is parsed again, the rest reused.
    const nl = bytes.indexOf('\n');
    writeFileSync(pack, bytes.slice(0, nl + 1) + '#' + bytes.slice(nl + 2));
    const damaged = await IndexCache.open(cacheDir);
    const warm = await indexWith(root, damaged);
    // The damaged model is the first in the body; a warm start may not need it (element snapshots): ask for it.
    const header = JSON.parse(bytes.slice(0, nl)) as { files: Record<string, { at?: number }> };
    warm.index.model(Object.entries(header.files).find(([, e]) => e.at === 0)![0]);
    assert.ok(
      damaged.warnings.some((w) => /unreadable/.test(w)),
      damaged.warnings.join('\n'),
    );
    assert.strictEqual(damaged.stats.modelMisses, 1);
    assert.strictEqual(warm.index.elements().length, first.index.elements().length);

    writeFileSync(pack, 'not a cache at all');
    const corrupt = await IndexCache.open(cacheDir);
    assert.ok(
      corrupt.warnings.some((w) => /is corrupt/.test(w) && /moved it to/.test(w)),
      corrupt.warnings.join('\n'),
    );
    assert.ok(readdirSync(cacheDir).some((f) => f.startsWith(`${PACK_NAME}.corrupt-`)));
    const rebuilt = await indexWith(root, corrupt);
    assert.strictEqual(rebuilt.index.elements().length, first.index.elements().length);
    await corrupt.save();
    assert.deepStrictEqual((await IndexCache.open(cacheDir)).warnings, [], 'a fresh pack is written');
  });

  it('opens a pack from its header line alone: models are read by offset, and those cut off are parsed again', async () => {
    const first = await indexWith(root, await IndexCache.open(cacheDir));
    await (first.index as unknown as { cache: IndexCache }).cache.save();
    const pack = join(cacheDir, PACK_NAME);
    const bytes = readFileSync(pack, 'latin1');
    const nl = bytes.indexOf('\n');
    const header = JSON.parse(bytes.slice(0, nl)) as { files: Record<string, { at?: number; len?: number }> };
    const withModels = Object.entries(header.files)
      .filter(([, e]) => e.at !== undefined)
      .sort(([, a], [, b]) => a.at! - b.at!);
    // Keep the header and the first model only: opening must not need the rest of the body.
    const [firstPath, firstEntry] = withModels[0];
    const [lastPath] = withModels[withModels.length - 1];
    writeFileSync(pack, bytes.slice(0, nl + 1 + firstEntry.at! + firstEntry.len!), 'latin1');
    const cut = await IndexCache.open(cacheDir);
    assert.deepStrictEqual(cut.warnings, []);
    assert.strictEqual(cut.size, Object.keys(header.files).length, 'every entry of the header is loaded');
    const warm = await indexWith(root, cut);
    const misses = cut.stats.modelMisses;
    assert.ok(warm.index.model(firstPath), 'the model still in the pack');
    assert.strictEqual(cut.stats.modelMisses, misses, 'is read from it, not parsed');
    assert.ok(warm.index.model(lastPath), 'the model cut off');
    assert.strictEqual(cut.stats.modelMisses, misses + 1, 'is parsed again');
    assert.deepStrictEqual(models(warm.index), models(first.index));
  });

  it('answers the keyword arguments of a class before the whole index is built, without parsing the tree', async () => {
    const index = await ElementIndex.create();
    await index.build([root], { parse: false });
    const early = index.parameters('IPolicer');
    const parsedEarly = index.parsedCount;
    assert.ok(parsedEarly <= 6, `${parsedEarly} files parsed`);
    await index.parseElementFiles();
    assert.ok(index.parsedCount > parsedEarly + 10, 'the fixtures have many more element files');
    assert.deepStrictEqual(early, index.parameters('IPolicer'), 'the same list as from the whole table');
  });

  it('keeps keyword lists with the element table: the next start on the same files gives them without decoding a model', async () => {
    const coldCache = await IndexCache.open(cacheDir);
    const cold = await indexWith(root, coldCache);
    const list = cold.index.parameters('IPolicer');
    assert.ok(list?.parameters.length, 'IPolicer reads keywords');
    await coldCache.save();

    const warmCache = await IndexCache.open(cacheDir);
    const warm = await ElementIndex.create({ cache: warmCache });
    await warm.build([root]);
    assert.deepStrictEqual(warm.parameters('IPolicer'), list);
    assert.strictEqual(warmCache.stats.modelHits, 0, 'no model decoded');
    assert.strictEqual(warmCache.stats.modelMisses, 0, 'nothing parsed');

    // A changed file makes another tree: the list is resolved again, from the new text.
    const header = join(root, 'elements', 'flowmage', 'ipolicer.hh');
    writeFileSync(header, readFileSync(header, 'utf8') + '\n// changed\n');
    const changedCache = await IndexCache.open(cacheDir);
    const changed = await ElementIndex.create({ cache: changedCache });
    await changed.build([root]);
    assert.deepStrictEqual(changed.parameters('IPolicer'), list);
    assert.ok(changedCache.stats.modelHits + changedCache.stats.modelMisses > 0, 'resolved again from models');
  });

  it('keyword lists stored in another shape are resolved again; the element table still holds', async () => {
    const coldCache = await IndexCache.open(cacheDir);
    const cold = await indexWith(root, coldCache);
    const list = cold.index.parameters('IPolicer');
    await coldCache.save();
    const pack = join(cacheDir, PACK_NAME);
    const text = readFileSync(pack, 'latin1');
    const newline = text.indexOf('\n');
    const header = JSON.parse(text.slice(0, newline));
    for (const t of Object.values(header.tables) as Array<{ parameterLists?: unknown }>) t.parameterLists = { version: 1, byName: { IPolicer: { completeness: 'maybe' } } };
    writeFileSync(pack, JSON.stringify(header) + text.slice(newline), 'latin1');
    const warmCache = await IndexCache.open(cacheDir);
    const warm = await ElementIndex.create({ cache: warmCache });
    await warm.build([root]);
    assert.ok(warm.tableFromCache, 'the table came from the pack');
    assert.deepStrictEqual(warm.parameters('IPolicer'), list);
  });

  it('finds an element before the whole index is built, parsing only the files that name it', async () => {
    const index = await ElementIndex.create();
    await index.build([root], { parse: false });
    assert.strictEqual(index.parsedCount, 0);
    const [policer] = index.findElementsEarly(['IPolicer']);
    assert.strictEqual(policer?.className, 'IPolicer');
    assert.ok(index.parsedCount <= 4, `${index.parsedCount} files parsed`);
    await index.parseElementFiles();
    const full = index.element('IPolicer')!;
    assert.deepStrictEqual({ ...policer, cls: policer.cls.name }, { ...full, cls: full.cls.name });
  });
});
