import * as assert from 'node:assert';
import { FeatureTracker } from '../../server/src/core/analysis/featureTracker';
import { summarizeFeatures } from '../../server/src/core/analysis/summary';
import { ElementIndex } from '../../server/src/core/cpp/elementIndex';
import { FeatureStore } from '../../server/src/core/store/featureStore';
import { EXAMPLES, ROOT } from './cpp/fixtureIndex';

describe('the demo element library (examples/elements)', () => {
  let tracker: FeatureTracker;
  before(async () => {
    const index = await ElementIndex.create();
    await index.build([EXAMPLES]);
    tracker = new FeatureTracker(index, FeatureStore.memory(ROOT));
    await tracker.analyzeAll();
  });

  it("has the paper chain's elements with the paper's features", () => {
    const summary = (n: string) => summarizeFeatures(tracker.get(n)!.features);
    assert.strictEqual(summary('IPortScanDetector'), 'stateful · key src_ip · per-packet · pointer chasing');
    assert.strictEqual(summary('IPolicer'), 'stateful · key dst_ip · per-packet');
    assert.strictEqual(summary('IFlowCounter'), 'stateful · key 5-tuple · per-packet');
    for (const n of ['FromDPDKDevice', 'Classifier', 'MarkIPHeader', 'CheckIPHeader', 'ToDPDKDevice']) assert.strictEqual(summary(n), 'stateless', n);
  });

  it('documents the device keywords for completion', () => {
    const from = tracker.get('FromDPDKDevice')!.info.doc!;
    for (const k of ['PORT', 'QUEUE', 'N_QUEUES', 'MAXTHREADS', 'NDESC', 'BURST', 'MODE', 'RSS_AGGREGATE', 'HASHFUNC', 'VERBOSE'])
      assert.ok(
        from.items.some((i) => i.keyword === k),
        k,
      );
    const to = tracker.get('ToDPDKDevice')!.info.doc!;
    for (const k of ['PORT', 'IQUEUE', 'BLOCKING', 'BURST', 'TIMEOUT', 'VERBOSE'])
      assert.ok(
        to.items.some((i) => i.keyword === k),
        k,
      );
    assert.deepStrictEqual(
      tracker.get('IPortScanDetector')!.info.doc!.items.map((i) => i.keyword),
      ['LIMIT', 'SHARED', 'SIZE'],
    );
  });
});
