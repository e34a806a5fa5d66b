// The element index against hostile source trees: whatever one file does (too large, nested too
// deep, a FIFO, a broken link, a WASM abort), that file is skipped with a warning naming it and
// every other element still gets its features.
import * as assert from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeatureTracker } from '../../../server/src/core/analysis/featureTracker';
import { ElementIndex } from '../../../server/src/core/cpp/elementIndex';
import { FeatureStore } from '../../../server/src/core/store/featureStore';
import { brokenLink, deeplyNestedElement, fixtureCopy, mkfifo, oversizedElement, PROTOTYPE_NAMED_ELEMENTS, write } from '../../support/hostileTree';
import { ROOT } from './fixtureIndex';
import { manyClassesHeader } from '../../support/manyClasses';

async function analyze(dir: string, maxFileBytes?: number) {
  const index = await ElementIndex.create({ maxFileBytes });
  await index.build([dir]);
  const tracker = new FeatureTracker(index, FeatureStore.memory(dir));
  await tracker.analyzeAll();
  return { index, tracker, features: (name: string) => tracker.get(name)?.features };
}

describe('indexing hostile C++ sources', function () {
  this.timeout(60_000);
  const dirs: string[] = [];
  const tree = (prefix: string) => {
    const d = fixtureCopy(prefix);
    dirs.push(d);
    return d;
  };
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  const assertOthersAnalyzed = (features: (n: string) => { stateful: boolean; flowKey: string[] } | undefined) => {
    assert.deepStrictEqual([features('IPortScanDetector')?.stateful, features('IPortScanDetector')?.flowKey], [true, ['src_ip']]);
    assert.deepStrictEqual([features('IPolicer')?.stateful, features('IPolicer')?.flowKey], [true, ['dst_ip']]);
  };

  it('skips a file over the size limit with a warning naming it', async () => {
    const dir = tree('flowmage-big-');
    write(join(dir, 'huge.hh'), oversizedElement(64 * 1024));
    const { index, tracker, features } = await analyze(dir, 32 * 1024);
    assert.ok(
      index.problems.some((p) => /^huge\.hh skipped: 6\d KB is over the 32 KB limit \(flowmage\.index\.maxFileSizeKB\)$/.test(p)),
      index.problems.join('\n'),
    );
    assert.strictEqual(tracker.get('HugeElement'), undefined);
    assertOthersAnalyzed(features);
  });

  it('skips a file nested too deep to walk (5,000 parentheses) with a warning naming it', async () => {
    const dir = tree('flowmage-deep-');
    write(join(dir, 'deep.hh'), deeplyNestedElement(5000));
    const { index, features } = await analyze(dir);
    assert.ok(
      index.problems.some((p) => /^deep\.hh skipped: cannot be analyzed \(code nested more than \d+ levels/.test(p)),
      index.problems.join('\n'),
    );
    assertOthersAnalyzed(features);
  });

  it('still analyzes code nested as deep as real code gets', async () => {
    const dir = tree('flowmage-nested-');
    write(join(dir, 'nested.hh'), deeplyNestedElement(100));
    const { index, features } = await analyze(dir);
    assert.deepStrictEqual(index.problems, []);
    assert.strictEqual(features('DeepElement')?.stateful, false);
  });

  it('never opens a FIFO, and says so; a broken link is reported too', async () => {
    const dir = tree('flowmage-fifo-');
    mkfifo(join(dir, 'pipe.hh'));
    brokenLink(join(dir, 'gone.cc'));
    const { index, features } = await analyze(dir);
    assert.ok(index.problems.includes('pipe.hh skipped: not a regular file'), index.problems.join('\n'));
    assert.ok(
      index.problems.some((p) => /^gone\.cc skipped: does not exist/.test(p)),
      index.problems.join('\n'),
    );
    assertOthersAnalyzed(features);
  });

  it('reports a file that cannot be read (a link loop) instead of dropping it silently', async () => {
    const dir = tree('flowmage-loop-');
    const { symlinkSync } = await import('node:fs');
    symlinkSync('loop.hh', join(dir, 'loop.hh'));
    const { index, features } = await analyze(dir);
    assert.ok(
      index.problems.some((p) => /^loop\.hh skipped: cannot be read \(ELOOP\)/.test(p)),
      index.problems.join('\n'),
    );
    assertOthersAnalyzed(features);
  });

  it('a file that becomes analyzable again is no longer reported', async () => {
    const dir = tree('flowmage-heal-');
    const file = join(dir, 'deep.hh');
    write(file, deeplyNestedElement(5000));
    const { index, tracker } = await analyze(dir);
    assert.ok(index.problems.some((p) => p.startsWith('deep.hh skipped')));
    write(file, deeplyNestedElement(3));
    assert.deepStrictEqual(await tracker.filesChanged([file]), ['DeepElement']);
    assert.ok(!index.problems.some((p) => p.startsWith('deep.hh')), index.problems.join('\n'));
  });

  it('analyzes elements and classes named __proto__, constructor and toString', async () => {
    const dir = tree('flowmage-proto-');
    write(join(dir, 'prototype.hh'), PROTOTYPE_NAMED_ELEMENTS);
    const { index, features } = await analyze(dir);
    assert.deepStrictEqual(index.problems, []);
    assert.deepStrictEqual([features('constructor')?.stateful, features('constructor')?.flowKey], [true, ['src_ip']]);
    assert.deepStrictEqual([features('__proto__')?.stateful, features('__proto__')?.flowKey], [true, ['dst_ip']]);
    assert.deepStrictEqual([features('toString')?.stateful, features('toString')?.unknown], [false, []]);
    assert.deepStrictEqual(index.define('constructor'), { value: 'not a class', file: join(dir, 'prototype.hh') });
    assert.strictEqual(index.define('hasOwnProperty'), undefined);
    assertOthersAnalyzed(features);
  });

  it('indexes 4,000 classes in one header, each with its own features', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowmage-many-'));
    dirs.push(dir);
    write(join(dir, 'many.hh'), manyClassesHeader(4000));
    const { tracker } = await analyze(dir);
    const all = tracker.all();
    assert.strictEqual(all.length, 4000);
    for (const t of all) {
      const i = Number(t.info.clickName.slice('Many'.length));
      assert.deepStrictEqual([t.features.stateful, t.features.flowKey], [true, [i % 2 ? 'dst_ip' : 'src_ip']], t.info.clickName);
    }
  });

  it('recovers the tree-sitter runtime after a WASM abort: later C++ and Click parses work', () => {
    const dir = tree('flowmage-abort-');
    // Sorted first, so the abort happens before the other files are parsed.
    write(join(dir, 'a-huge.hh'), oversizedElement(3 * 1024 * 1024));
    const r = spawnSync(process.execPath, [join(ROOT, 'out', 'test', 'support', 'wasmAbortChild.js'), dir], { encoding: 'utf8', timeout: 50_000 });
    assert.strictEqual(r.status, 0, `child failed: ${r.stderr}`);
    const out = JSON.parse(r.stdout) as { problems: string[]; features: Record<string, string[] | null>; clickElements: number; recoveries: number };
    assert.ok(out.recoveries >= 1, 'the parse aborted (the runtime is limited to 32 MB)');
    assert.ok(
      out.problems.some((p) => /^a-huge\.hh skipped: cannot be analyzed \(the tree-sitter runtime aborted/.test(p)),
      out.problems.join('\n'),
    );
    assert.deepStrictEqual(out.features.IPortScanDetector, ['src_ip']);
    assert.deepStrictEqual(out.features.IPolicer, ['dst_ip']);
    assert.strictEqual(out.clickElements, 3, 'a .click document still parses');
  });
});
