// The cold index in a child process (core/index/indexProcess.ts): the server's own bundle, forked,
// writes the pack; loading it afterwards is a warm start with the features an in-process analysis
// gives. A cancelled or failing child never leaves the caller waiting.
import * as assert from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeatureTracker } from '../../../server/src/core/analysis/featureTracker';
import { CancelledError, ElementIndex } from '../../../server/src/core/cpp/elementIndex';
import { IndexCache } from '../../../server/src/core/index/indexCache';
import { buildIndexInChildProcess } from '../../../server/src/core/index/indexProcess';
import { createLogger } from '../../../server/src/core/log';
import { FeatureStore } from '../../../server/src/core/store/featureStore';
import { fixtureCopy } from '../../support/hostileTree';
import { REPO_ROOT } from '../../support/fastclickSource';

const SERVER = join(REPO_ROOT, 'dist', 'server.js');
const MAX = 512 * 1024;

/** A logger keeping warnings and errors in `lines`. */
const warningsInto = (lines: string[]) => createLogger((_level, message) => void lines.push(message), () => 'warn');

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
    const result = await buildIndexInChildProcess(SERVER, { roots: [root], cacheDir, maxFileBytes: MAX }, { onProgress: (p) => phases.add(p.phase), log });
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

  it('is killed when cancelled, and the caller gets CancelledError at once', async () => {
    const t0 = Date.now();
    await assert.rejects(buildIndexInChildProcess(SERVER, { roots: [root], cacheDir: join(tmp, 'index'), maxFileBytes: MAX }, { isCancelled: () => true }), CancelledError);
    assert.ok(Date.now() - t0 < 5000);
  });

  it('says why when the child stops before answering', async () => {
    const script = join(tmp, 'crash.js');
    writeFileSync(script, "process.stderr.write('out of memory, say\\n'); process.exit(3);\n");
    await assert.rejects(buildIndexInChildProcess(script, { roots: [root], cacheDir: join(tmp, 'index'), maxFileBytes: MAX }), /stopped \(exit code 3\) before it was done: out of memory, say/);
  });

  it("passes the child's warnings to the caller's log (a pack that cannot be written)", async () => {
    const notAFolder = join(tmp, 'file');
    writeFileSync(notAFolder, 'x');
    const warnings: string[] = [];
    const log = warningsInto(warnings);
    const result = await buildIndexInChildProcess(SERVER, { roots: [root], cacheDir: join(notAFolder, 'index'), maxFileBytes: MAX }, { log });
    assert.ok(result.elements > 0);
    assert.ok(warnings.some((w) => /could not write the index cache/.test(w)), warnings.join('\n'));
  });
});
