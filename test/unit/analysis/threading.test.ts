// The threading model read from the code of the deploy fixtures (test/fixtures/deploy): which
// elements keep per-thread state, which protect shared state, which write plain state, and the
// evidence lines that decided it.
import * as assert from 'node:assert';
import { join } from 'node:path';
import { FeatureTracker } from '../../../server/src/core/analysis/featureTracker';
import { ElementIndex } from '../../../server/src/core/cpp/elementIndex';
import { FeatureStore } from '../../../server/src/core/store/featureStore';

const ROOT = join(__dirname, '..', '..', '..', '..');
const DEPLOY = join(ROOT, 'test', 'fixtures', 'deploy');
const EXAMPLES = join(ROOT, 'examples', 'elements');

async function trackerFor(root: string): Promise<FeatureTracker> {
  const index = await ElementIndex.create();
  await index.build([root]);
  const t = new FeatureTracker(index, FeatureStore.memory(root));
  await t.analyzeAll();
  return t;
}

function evidenceLine(t: FeatureTracker, name: string, i = 0): string {
  const e = t.get(name)!.threading!.evidence[i];
  return (t.index.text(e.file) ?? '').split('\n')[e.line];
}

describe('threading model', function () {
  this.timeout(30_000);
  let t: FeatureTracker;
  before(async () => {
    t = await trackerFor(DEPLOY);
  });

  it('per_thread<> state is per-thread, with the declaration as evidence', () => {
    assert.strictEqual(t.get('FlowTableIMP')!.threading!.model, 'per-thread');
    assert.match(evidenceLine(t, 'FlowTableIMP'), /per_thread<HashTable<IPFlowID, uint64_t> > _tables;/);
    assert.strictEqual(t.get('SrcTableIMP')!.threading!.model, 'per-thread');
  });

  it('a thread-safe MP container or a lock is shared-safe', () => {
    assert.strictEqual(t.get('FlowTableMP')!.threading!.model, 'shared-safe');
    assert.match(evidenceLine(t, 'FlowTableMP'), /HashTableMP<IPFlowID, uint64_t> _table;/);
    const limiter = t.get('DstLimiter')!.threading!;
    assert.strictEqual(limiter.model, 'shared-safe');
    assert.ok(
      limiter.evidence.some((e) => /Spinlock _lock/.test(e.reason)),
      JSON.stringify(limiter),
    );
  });

  it('plain state written on the packet path is unsafe, pointing at the write', () => {
    assert.strictEqual(t.get('SrcCounter')!.threading!.model, 'unsafe');
    assert.match(evidenceLine(t, 'SrcCounter'), /_counts\.find_insert\(src, 0\)\+\+/);
  });

  it('ELEMENT_MT_SAFE is read although the macro is blanked before parsing', async () => {
    const ex = await trackerFor(EXAMPLES);
    const mark = ex.get('MarkIPHeader')!.threading!;
    assert.strictEqual(mark.model, 'shared-safe');
    assert.ok(mark.evidence.some((e) => /ELEMENT_MT_SAFE/.test(e.reason)));
    // The fork's flow manager keeps one table per core (SHARED false) beside a locked one.
    assert.strictEqual(ex.get('IPortScanDetector')!.threading!.model, 'per-thread');
  });

  it('never decides from the class name', async () => {
    // The same per-thread code under a name that says "MP" stays per-thread.
    const index = await ElementIndex.create();
    await index.build([DEPLOY]);
    const file = join(DEPLOY, 'elements', 'flow', 'srctable.hh');
    await index.updateFile(file, index.text(file)!.replace(/SrcTableIMP/g, 'SrcTableMP'));
    const renamed = new FeatureTracker(index, FeatureStore.memory(DEPLOY));
    await renamed.analyzeAll();
    assert.strictEqual(renamed.get('SrcTableMP')!.threading!.model, 'per-thread');
  });
});
