// Parse workers (core/cpp/parsePool.ts): a cold index parses its element files in worker threads.
// What they produce must be exactly what a parse on the index's own thread produces; a file a
// worker cannot parse is parsed (and reported) as before; without the worker bundle nothing changes.
import * as assert from 'node:assert';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeatureTracker } from '../../../server/src/core/analysis/featureTracker';
import { ElementIndex } from '../../../server/src/core/cpp/elementIndex';
import { extractCppFile } from '../../../server/src/core/cpp/extract';
import { decodeModel, encodeModel } from '../../../server/src/core/cpp/modelCodec';
import { defaultParseWorkers, parseInWorkers, parseWorkerScript } from '../../../server/src/core/cpp/parsePool';
import { createParser, wasmDirectory } from '../../../server/src/core/treeSitter';
import { FeatureStore } from '../../../server/src/core/store/featureStore';
import { deeplyNestedElement, fixtureCopy, write } from '../../support/hostileTree';

async function indexed(dir: string, workers: number) {
  const index = await ElementIndex.create();
  await index.build([dir], { workers });
  const tracker = new FeatureTracker(index, FeatureStore.memory(dir));
  await tracker.analyzeAll();
  const files = [...new Set(index.elements().flatMap((e) => [e.headerFile, ...e.sourceFiles]))].sort();
  return {
    index,
    models: files.map((f) => encodeModel(index.model(f)!)),
    features: Object.fromEntries(tracker.all().map((t) => [t.info.clickName, t.features])),
  };
}

describe('parse workers', function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  const tree = () => {
    const d = fixtureCopy('flowmage-pool-');
    dirs.push(d);
    return d;
  };
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('are started by default only on machines with 4 cores or more (on 2 they cost more than they save)', () => {
    assert.deepStrictEqual([1, 2, 3, 4, 8, 64].map((n) => defaultParseWorkers(n)), [0, 0, 0, 4, 4, 4]);
  });

  it('the worker bundle is built beside the .wasm files', () => {
    assert.strictEqual(parseWorkerScript(), join(wasmDirectory(), 'parseWorker.js'));
  });

  it('gives, file by file, the model a parse on this thread gives', async () => {
    const dir = tree();
    const files = ['flowmage/ipolicer.hh', 'flowmage/ipolicer.cc', 'flowmage/iportscandetector.hh'].map((f) => join(dir, 'elements', f));
    const jobs = files.map((path) => ({ path, text: readFileSync(path, 'utf8'), mtimeMs: statSync(path).mtimeMs, size: statSync(path).size }));
    const models = await parseInWorkers(jobs, { workers: 2 });
    assert.deepStrictEqual([...models.keys()].sort(), [...files].sort());
    const parser = await createParser('cpp');
    for (const job of jobs) {
      const here = extractCppFile(parser, job.path, job.text, { mtimeMs: job.mtimeMs, size: job.size });
      assert.strictEqual(models.get(job.path), encodeModel(here), job.path);
      assert.strictEqual(encodeModel(decodeModel(models.get(job.path)!, job.path)), encodeModel(here), `${job.path} decoded`);
    }
  });

  it('an index built with workers has the models and features of one built without', async () => {
    const dir = tree();
    const alone = await indexed(dir, 0);
    const pooled = await indexed(dir, 2);
    assert.strictEqual(alone.index.workerModels, 0);
    assert.ok(pooled.index.workerModels >= 32, `${pooled.index.workerModels} models from workers`);
    assert.deepStrictEqual(pooled.models, alone.models);
    assert.deepStrictEqual(pooled.features, alone.features);
  });

  it('a file a worker cannot parse is parsed on this thread, and skipped with the same warning', async () => {
    const dir = tree();
    write(join(dir, 'deep.hh'), deeplyNestedElement(5000));
    const { index } = await indexed(dir, 2);
    assert.ok(index.workerModels >= 32);
    assert.ok(index.problems.some((p) => /^deep\.hh skipped: cannot be analyzed \(code nested more than \d+ levels/.test(p)), index.problems.join('\n'));
    const alone = await indexed(dir, 0);
    assert.deepStrictEqual(index.problems, alone.index.problems);
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
      const { index, features } = await indexed(dir, 2);
      assert.strictEqual(index.workerModels, 0);
      assert.deepStrictEqual(features, (await indexed(dir, 0)).features);
    } finally {
      if (saved === undefined) delete process.env.FLOWMAGE_WASM_DIR;
      else process.env.FLOWMAGE_WASM_DIR = saved;
    }
  });
});
