// Parse helpers (core/cpp/parsePool.ts): worker threads parse C++ files while the index's thread
// parses and analyzes. What they produce must be exactly what a parse on the index's own thread
// produces; no file is parsed by both sides; a file a helper cannot parse, or a helper that stops,
// leaves the file to the index's thread; without the worker bundle nothing changes.
import * as assert from 'node:assert';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeatureTracker } from '../../../server/src/core/analysis/featureTracker';
import { ElementIndex } from '../../../server/src/core/cpp/elementIndex';
import { extractCppFile } from '../../../server/src/core/cpp/extract';
import { decodeModel, encodeModel } from '../../../server/src/core/cpp/modelCodec';
import { defaultParseWorkers, ParseHelpers, parseWorkerScript, type ParseJob } from '../../../server/src/core/cpp/parsePool';
import { createParser, wasmDirectory } from '../../../server/src/core/treeSitter';
import { FeatureStore } from '../../../server/src/core/store/featureStore';
import { deeplyNestedElement, fixtureCopy, write } from '../../support/hostileTree';
import { writeTallyElements } from '../../support/tallyElements';

async function indexed(dir: string, workers: number) {
  const index = await ElementIndex.create();
  // Started and ready before the files are read (as the index's child process starts them), so they take their share.
  const helpers = ParseHelpers.start(workers);
  await helpers?.whenReady();
  await index.build([dir], { workers, helpers });
  const tracker = new FeatureTracker(index, FeatureStore.memory(dir));
  await tracker.analyzeAll();
  index.stopParseHelpers();
  const files = [...new Set(index.elements().flatMap((e) => [e.headerFile, ...e.sourceFiles]))].sort();
  return {
    index,
    models: files.map((f) => encodeModel(index.model(f)!)),
    features: Object.fromEntries(tracker.all().map((t) => [t.info.clickName, t.features])),
  };
}

function jobOf(path: string, text = readFileSync(path, 'utf8')): ParseJob {
  return { path, text, mtimeMs: statSync(path).mtimeMs, size: text.length };
}

describe('parse helpers', function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  const tree = () => {
    const d = fixtureCopy('flowmage-pool-');
    dirs.push(d);
    return d;
  };
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('one per other core, up to 3, on machines with 4 cores or more (on 2 they cost more than they save)', () => {
    assert.deepStrictEqual(
      [1, 2, 3, 4, 8, 64].map((n) => defaultParseWorkers(n)),
      [0, 0, 0, 3, 3, 3],
    );
  });

  it('the worker bundle is built beside the .wasm files', () => {
    assert.strictEqual(parseWorkerScript(), join(wasmDirectory(), 'parseWorker.js'));
  });

  it('give, file by file, the model a parse on this thread gives', async () => {
    const dir = tree();
    const jobs = ['flowmage/ipolicer.hh', 'flowmage/ipolicer.cc', 'flowmage/iportscandetector.hh'].map((f) => jobOf(join(dir, 'elements', f)));
    const helpers = ParseHelpers.start(2)!;
    helpers.assign(jobs);
    await helpers.whenEnded();
    const parser = await createParser('cpp');
    for (const job of jobs) {
      const json = helpers.take(job.path);
      assert.ok(json, `${job.path} from a helper`);
      const here = extractCppFile(parser, job.path, job.text, { mtimeMs: job.mtimeMs, size: job.size, deferBodies: true });
      assert.strictEqual(json, encodeModel(here), job.path);
      assert.strictEqual(encodeModel(decodeModel(json, job.path)), encodeModel(here), `${job.path} decoded`);
    }
    assert.strictEqual(helpers.stats.taken, 3);
    helpers.stop();
  });

  it('this thread and the helpers never parse the same file, whoever gets there first', async () => {
    const dir = tree();
    const source = jobOf(join(dir, 'elements', 'flowmage', 'ipolicer.cc'));
    // 300 files (one text under many names): this thread takes them from the start while the helpers take them from the end.
    const jobs = Array.from({ length: 300 }, (_, i) => ({ ...source, path: join(dir, `copy${i}.cc`) }));
    const helpers = ParseHelpers.start(2)!;
    // Ready before the race starts: on a loaded machine their start-up alone could outlast it.
    await helpers.whenReady();
    helpers.assign(jobs);
    const mine = new Set<string>();
    const theirs = new Set<string>();
    const parser = await createParser('cpp');
    for (const job of jobs) {
      const json = helpers.take(job.path);
      if (json === undefined) {
        mine.add(job.path);
        extractCppFile(parser, job.path, job.text);
      } else theirs.add(job.path);
    }
    await helpers.whenEnded();
    const left = helpers.takeFinished();
    helpers.stop();
    assert.deepStrictEqual(left, [], 'every file was taken by one side');
    assert.strictEqual(mine.size + theirs.size, jobs.length);
    assert.ok(theirs.size > 0, 'the helpers parsed some');
    assert.strictEqual(helpers.stats.taken, theirs.size);
  });

  it('a file a helper cannot parse is left to this thread', async () => {
    const dir = tree();
    write(join(dir, 'deep.hh'), deeplyNestedElement(5000));
    const jobs = [jobOf(join(dir, 'deep.hh')), jobOf(join(dir, 'elements', 'flowmage', 'ipolicer.hh'))];
    const helpers = ParseHelpers.start(1)!;
    helpers.assign(jobs);
    await helpers.whenEnded();
    assert.strictEqual(helpers.take(jobs[0].path), undefined);
    assert.ok(helpers.take(jobs[1].path));
    helpers.stop();
  });

  it('stopped helpers leave their unfinished files to this thread, and take() does not wait for them', async () => {
    const dir = tree();
    const source = jobOf(join(dir, 'elements', 'flowmage', 'ipolicer.cc'));
    const jobs = Array.from({ length: 1000 }, (_, i) => ({ ...source, path: join(dir, `copy${i}.cc`) }));
    const helpers = ParseHelpers.start(2)!;
    helpers.assign(jobs);
    // Let them claim a few files, then stop them while they parse.
    await new Promise((r) => setTimeout(r, 300));
    helpers.stop();
    const t0 = Date.now();
    let sent = 0;
    for (const job of jobs) {
      const json = helpers.take(job.path);
      // A model sent before the stop is still good; any other file is this thread's.
      if (json !== undefined) assert.strictEqual(decodeModel(json, job.path).path, job.path, `${++sent}`);
    }
    assert.ok(Date.now() - t0 < 2000, `take() waited ${Date.now() - t0} ms`);
    assert.ok(sent < jobs.length, 'the helpers were stopped before the end');
  });

  it('an index built with helpers has the models, features and problems of one built without', async () => {
    const dir = tree();
    write(join(dir, 'deep.hh'), deeplyNestedElement(5000));
    // Enough files that the helpers are well at work before this thread is through them.
    writeTallyElements(join(dir, 'tally'), 300);
    const alone = await indexed(dir, 0);
    const pooled = await indexed(dir, 2);
    assert.strictEqual(alone.index.workerModels, 0);
    assert.ok(pooled.index.workerModels > 0, 'the helpers parsed some files');
    assert.strictEqual(pooled.index.workerModels + pooled.index.parsedHere, alone.index.parsedHere, 'no file parsed twice');
    assert.deepStrictEqual(pooled.models, alone.models);
    assert.deepStrictEqual(pooled.features, alone.features);
    assert.ok(
      pooled.index.problems.some((p) => /^deep\.hh skipped: cannot be analyzed \(code nested more than \d+ levels/.test(p)),
      pooled.index.problems.join('\n'),
    );
    assert.deepStrictEqual(pooled.index.problems, alone.index.problems);
  });

  it('without the worker bundle every file is parsed on this thread', async () => {
    const dir = tree();
    const wasmOnly = mkdtempSync(join(tmpdir(), 'flowmage-wasm-'));
    dirs.push(wasmOnly);
    for (const f of ['tree-sitter.wasm', 'tree-sitter-cpp.wasm', 'tree-sitter-click.wasm']) copyFileSync(join(wasmDirectory(), f), join(wasmOnly, f));
    const saved = process.env.FLOWMAGE_WASM_DIR;
    process.env.FLOWMAGE_WASM_DIR = wasmOnly;
    try {
      assert.strictEqual(parseWorkerScript(), undefined);
      assert.strictEqual(ParseHelpers.start(2), undefined);
      const { index, features } = await indexed(dir, 2);
      assert.strictEqual(index.workerModels, 0);
      assert.deepStrictEqual(features, (await indexed(dir, 0)).features);
    } finally {
      if (saved === undefined) delete process.env.FLOWMAGE_WASM_DIR;
      else process.env.FLOWMAGE_WASM_DIR = saved;
    }
  });
});
