// The cold index in a child process (core/index/indexProcess.ts): dist/indexProcess.js, forked,
// writes the pack; loading it afterwards is a warm start with the features an in-process analysis
// gives. A cancelled or failing child never leaves the caller waiting.
import * as assert from 'node:assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeatureTracker } from '../../../server/src/core/analysis/featureTracker';
import { CancelledError, ElementIndex } from '../../../server/src/core/cpp/elementIndex';
import { adoptEarlyAnswer, adoptScans, type EarlyAnswer } from '../../../server/src/core/index/earlyAnswer';
import { IndexCache } from '../../../server/src/core/index/indexCache';
import { indexProcessScript, prepareIndexProcess, startIndexProcess } from '../../../server/src/core/index/indexProcess';
import { createLogger } from '../../../server/src/core/log';
import { SERVER_MALLOC_ENV } from '../../../server/src/core/mallocTuning';
import { FeatureStore } from '../../../server/src/core/store/featureStore';
import { fixtureCopy } from '../../support/hostileTree';
import { REPO_ROOT } from '../../support/fastclickSource';

const SCRIPT = indexProcessScript();
const MAX = 512 * 1024;

/** A logger keeping warnings and errors in `lines`. */
const warningsInto = (lines: string[]) =>
  createLogger(
    (_level, message) => void lines.push(message),
    () => 'warn',
  );

async function analyzed(root: string, cache?: IndexCache) {
  const index = await ElementIndex.create({ maxFileBytes: MAX, cache });
  await index.build([root], { parse: false });
  const tableFromCache = index.hasStoredTable();
  await index.parseElementFiles();
  const tracker = new FeatureTracker(index, FeatureStore.memory(root));
  await tracker.analyzeAll();
  return { index, tracker, tableFromCache, features: Object.fromEntries(tracker.all().map((t) => [t.info.clickName, t.features])) };
}

describe('the cold index in a child process', function () {
  this.timeout(60_000);
  let root: string;
  let tmp: string;
  beforeEach(() => {
    root = fixtureCopy('flowmage-child-src-');
    tmp = mkdtempSync(join(tmpdir(), 'flowmage-child-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(tmp, { recursive: true, force: true });
  });

  it('writes a pack from which the index loads as on a warm start, with the same features', async () => {
    const cacheDir = join(tmp, 'index');
    const phases = new Set<string>();
    const logs: string[] = [];
    const log = warningsInto(logs);
    const result = await startIndexProcess(SCRIPT, { roots: [root], cacheDir, maxFileBytes: MAX }, { onProgress: (p) => phases.add(p.phase), log }).result;
    const inProcess = await analyzed(root);
    assert.strictEqual(result.elements, inProcess.tracker.all().length);
    assert.ok(result.parsed > 20, `${result.parsed} files parsed`);
    assert.ok(phases.has('reading') && phases.has('analyzing'), [...phases].join(', '));
    const cache = await IndexCache.open(cacheDir);
    const warm = await analyzed(root, cache);
    assert.ok(warm.tableFromCache, 'the element table comes from the pack');
    assert.strictEqual(cache.stats.modelMisses, 0, 'nothing is parsed again');
    assert.strictEqual(warm.tracker.analysisRuns, 0, 'nothing is analyzed again');
    assert.strictEqual(warm.tracker.snapshotHits, warm.tracker.all().length);
    assert.deepStrictEqual(warm.features, inProcess.features);
    assert.deepStrictEqual(logs, []);
  });

  it('answers early names first with the models and snapshots a server shows them from, without parsing or analyzing', async () => {
    const inProcess = await analyzed(root);
    const stateful = inProcess.tracker
      .all()
      .filter((t) => t.features.stateful)
      .map((t) => t.info.clickName);
    assert.ok(stateful.length >= 2, stateful.join(', '));
    const [first, second] = stateful;
    // A server's index: its own reading of the tree; the child's models and snapshots are taken
    // from the pack as each answer comes, while the child goes on.
    const cache = await IndexCache.open(join(tmp, 'server'));
    const index = await ElementIndex.create({ maxFileBytes: MAX, cache });
    await index.build([root], { parse: false });
    const answers: EarlyAnswer[] = [];
    const adopted: number[] = [];
    const child = startIndexProcess(
      SCRIPT,
      { roots: [root], cacheDir: join(tmp, 'index'), maxFileBytes: MAX, early: [first, 'NoSuchElement'] },
      {
        onEarly: (a) => {
          answers.push(a);
          adopted.push(adoptEarlyAnswer(index, a));
        },
      },
    );
    // Asked after the start, as a document opened meanwhile would be.
    child.askEarly([second]);
    await child.result;
    assert.deepStrictEqual(answers[0]?.names, [first, 'NoSuchElement', second]);
    for (const [i, n] of adopted.entries()) assert.ok(n > 0, `models taken for ${answers[i].names.join(', ')}`);
    assert.deepStrictEqual(
      readdirSync(join(tmp, 'index')).filter((f) => f.startsWith('early-')),
      [],
      'answers removed once read',
    );
    const tracker = new FeatureTracker(index, FeatureStore.memory(root));
    const shown = tracker.analyzeElements(index.findElementsEarly([first, second]));
    assert.deepStrictEqual(
      shown.map((t) => t.info.clickName),
      [first, second],
    );
    for (const t of shown) assert.deepStrictEqual(t.features, inProcess.tracker.get(t.info.clickName)!.features, t.info.clickName);
    assert.strictEqual(tracker.analysisRuns, 0, 'analyzed from the snapshots');
    assert.ok(
      shown.every((t) => t.info.cls.name === t.info.className && t.slice.text.length > 0),
      'class and slice read from the adopted models',
    );
    assert.strictEqual(index.parsedHere, 0, 'no file parsed by the server');
    // Their keyword lists came with the answers: the server gives them without reading a model.
    for (const n of [first, second]) {
      const { value, paths } = index.withModelReads(() => index.parameters(n));
      assert.deepStrictEqual(value, inProcess.index.parameters(n), n);
      assert.deepStrictEqual(paths, [], `${n}: no model read for its list`);
    }
    // Their keyword lists are in the pack with the element table: a server that loads it gives them without a model.
    const packed = await IndexCache.open(join(tmp, 'index'));
    const loaded = await ElementIndex.create({ maxFileBytes: MAX, cache: packed });
    await loaded.build([root]);
    for (const n of [first, second]) assert.deepStrictEqual(loaded.parameters(n), inProcess.index.parameters(n), n);
    assert.strictEqual(packed.stats.modelHits, 0, 'no model decoded for the lists');
  });

  it("hands over the files' scans once it has read the tree: an index built with them reads no file and finds the same elements", async () => {
    const cacheDir = join(tmp, 'index');
    const child = startIndexProcess(SCRIPT, { roots: [root], cacheDir, maxFileBytes: MAX });
    const file = await child.scanned;
    assert.ok(file && file.startsWith(cacheDir), `scans in ${file}`);
    const cache = IndexCache.memory();
    const taken = adoptScans(cache, file);
    assert.ok(!existsSync(file), 'the file is read once and removed');
    const index = await ElementIndex.create({ maxFileBytes: MAX, cache });
    const built = await index.build([root], { parse: false });
    assert.strictEqual(taken.length, built.files);
    assert.strictEqual(built.cachedFiles, built.files, 'every file known by its stat: none read');
    await child.result;
    const inProcess = await analyzed(root);
    await index.parseElementFiles();
    assert.deepStrictEqual(
      index.elements().map((e) => e.clickName),
      inProcess.index.elements().map((e) => e.clickName),
    );
  });

  it('a child that stops before reading the tree hands over no scans (the caller reads the files itself)', async () => {
    const script = join(tmp, 'crash.js');
    writeFileSync(script, 'process.exit(3);\n');
    const child = startIndexProcess(script, { roots: [root], cacheDir: join(tmp, 'index'), maxFileBytes: MAX });
    assert.strictEqual(await child.scanned, undefined);
    await assert.rejects(child.result);
  });

  it('scans that are not a list of file scans are refused, and the file removed', () => {
    const file = join(tmp, 'scans-1.json');
    writeFileSync(file, '{"not": "a list"}');
    assert.throws(() => adoptScans(IndexCache.memory(), file), /not a list of file scans/);
    assert.ok(!existsSync(file));
  });

  it('a child started ahead of its request builds the same pack once asked', async () => {
    const prepared = prepareIndexProcess(SCRIPT);
    // It loads and waits; the request comes later (the server lists the tree meanwhile).
    await new Promise((r) => setTimeout(r, 300));
    const result = await prepared.start({ roots: [root], cacheDir: join(tmp, 'index'), maxFileBytes: MAX }).result;
    assert.strictEqual(result.elements, (await analyzed(root)).tracker.all().length);
    assert.throws(() => prepared.start({ roots: [root], cacheDir: join(tmp, 'index'), maxFileBytes: MAX }), /already used/);
  });

  it('a child that died while waiting for its request: start() says why, and no scans come', async () => {
    const script = join(tmp, 'crash.js');
    writeFileSync(script, "process.stderr.write('killed while waiting\\n'); process.exit(3);\n");
    const prepared = prepareIndexProcess(script);
    await new Promise((r) => setTimeout(r, 500));
    const child = prepared.start({ roots: [root], cacheDir: join(tmp, 'index'), maxFileBytes: MAX });
    await assert.rejects(child.result, /stopped \(exit code 3\) before it was done: killed while waiting/);
    assert.strictEqual(await child.scanned, undefined);
  });

  it('is its own bundle in dist/, not the language server', () => {
    assert.strictEqual(SCRIPT, join(REPO_ROOT, 'dist', 'indexProcess.js'));
    assert.ok(existsSync(SCRIPT));
    // The language server protocol's method names are not in it.
    assert.ok(!readFileSync(SCRIPT, 'utf8').includes('textDocument/publishDiagnostics'), 'the child does not load the language server');
  });

  it('is killed by cancel(), and the caller gets CancelledError at once', async () => {
    const child = startIndexProcess(SCRIPT, { roots: [root], cacheDir: join(tmp, 'index'), maxFileBytes: MAX });
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    child.cancel();
    await assert.rejects(child.result, CancelledError);
    assert.ok(Date.now() - t0 < 1000);
    assert.strictEqual(await child.scanned, undefined);
  });

  it('is killed when cancelled, and the caller gets CancelledError at once', async () => {
    const t0 = Date.now();
    await assert.rejects(startIndexProcess(SCRIPT, { roots: [root], cacheDir: join(tmp, 'index'), maxFileBytes: MAX }, { isCancelled: () => true }).result, CancelledError);
    assert.ok(Date.now() - t0 < 5000);
  });

  it('says why when the child stops before answering', async () => {
    const script = join(tmp, 'crash.js');
    writeFileSync(script, "process.stderr.write('out of memory, say\\n'); process.exit(3);\n");
    await assert.rejects(
      startIndexProcess(script, { roots: [root], cacheDir: join(tmp, 'index'), maxFileBytes: MAX }).result,
      /stopped \(exit code 3\) before it was done: out of memory, say/,
    );
  });

  it("runs the child with glibc's default malloc thresholds, whatever the server's tuning (it gives its memory back at exit)", async () => {
    const script = join(tmp, 'env.js');
    writeFileSync(
      script,
      "process.stderr.write('threshold=' + (process.env.MALLOC_MMAP_THRESHOLD_ ?? 'default') + ' other=' + process.env.FLOWMAGE_TEST_KEPT + '\\n'); process.exit(3);\n",
    );
    const saved = { ...process.env };
    Object.assign(process.env, SERVER_MALLOC_ENV, { FLOWMAGE_TEST_KEPT: 'kept' });
    try {
      await assert.rejects(startIndexProcess(script, { roots: [root], cacheDir: join(tmp, 'index'), maxFileBytes: MAX }).result, /threshold=default other=kept/);
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  it("passes the child's warnings to the caller's log (a pack that cannot be written)", async () => {
    const notAFolder = join(tmp, 'file');
    writeFileSync(notAFolder, 'x');
    const warnings: string[] = [];
    const log = warningsInto(warnings);
    const result = await startIndexProcess(SCRIPT, { roots: [root], cacheDir: join(notAFolder, 'index'), maxFileBytes: MAX }, { log }).result;
    assert.ok(result.elements > 0);
    assert.ok(
      warnings.some((w) => /could not write the index cache/.test(w)),
      warnings.join('\n'),
    );
  });
});
