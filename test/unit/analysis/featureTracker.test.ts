import * as assert from 'node:assert';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeatureTracker } from '../../../server/src/core/analysis/featureTracker';
import { ElementIndex } from '../../../server/src/core/cpp/elementIndex';
import { FeatureStore } from '../../../server/src/core/store/featureStore';
import { FIXTURES } from '../cpp/fixtureIndex';

describe('the feature tracker', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'flowmage-tracker-'));
    cpSync(FIXTURES, dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function tracker(storeFile = join(dir, '.flowmage', 'features.json')) {
    const index = await ElementIndex.create();
    await index.build([dir]);
    return new FeatureTracker(index, await FeatureStore.open(storeFile));
  }

  it('never re-analyzes an element whose slice is unchanged, across runs', async () => {
    const first = await tracker();
    const stats = await first.analyzeAll();
    assert.strictEqual(stats.analyzed, 26);
    await first.store.save();
    const second = await tracker();
    const again = await second.analyzeAll();
    assert.deepStrictEqual([again.analyzed, again.reused, second.analysisRuns], [0, 26, 0]);
    assert.deepStrictEqual(second.get('IPortScanDetector')!.features, first.get('IPortScanDetector')!.features);
  });

  it('re-analyzes only the elements a changed file affects', async () => {
    const t = await tracker();
    await t.analyzeAll();
    const runs = t.analysisRuns;
    const cc = join(dir, 'elements', 'flowmage', 'ipolicer.cc');
    writeFileSync(cc, readFileSync(cc, 'utf8').replace('iph->ip_dst.s_addr', 'iph->ip_src.s_addr'));
    assert.deepStrictEqual(await t.filesChanged([cc]), ['IPolicer']);
    assert.strictEqual(t.analysisRuns, runs + 1);
    assert.deepStrictEqual(t.get('IPolicer')!.features.flowKey, ['src_ip']);
  });

  it('re-analyzes every element built on a base when the base changes', async () => {
    const t = await tracker();
    await t.analyzeAll();
    const base = join(dir, 'include', 'click', 'iflowmanager.hh');
    writeFileSync(
      base,
      readFileSync(base, 'utf8')
        .replace('    Spinlock _lock;\n', '    Spinlock _lock;\n    uint64_t _batches;\n')
        .replace('        int n = 0;\n', '        int n = 0;\n        _batches++;\n'),
    );
    const changed = await t.filesChanged([base]);
    assert.deepStrictEqual(changed, ['IFlowCounter', 'IPolicer', 'IPortScanDetector']);
  });

  it('does not report an element whose features did not change (a comment edit)', async () => {
    const t = await tracker();
    await t.analyzeAll();
    const cc = join(dir, 'elements', 'flowmage', 'ipolicer.cc');
    writeFileSync(cc, readFileSync(cc, 'utf8').replace('// ICMP is only dropped, never policed', '// ICMP: dropped, not policed'));
    const runs = t.analysisRuns;
    assert.deepStrictEqual(await t.filesChanged([cc]), []);
    assert.strictEqual(t.analysisRuns, runs, 'same slice, same place: reused');
  });

  it('adds a new element and forgets a deleted one', async () => {
    const t = await tracker();
    await t.analyzeAll();
    const hh = join(dir, 'elements', 'mine.hh');
    writeFileSync(
      hh,
      'class Mine : public BatchElement { public:\n  const char *class_name() const override { return "Mine"; }\n  Packet *simple_action(Packet *p) override { _n++; return p; }\n  uint64_t _n;\n};\n',
    );
    assert.deepStrictEqual(await t.filesChanged([hh]), ['Mine']);
    assert.strictEqual(t.get('Mine')!.features.stateful, false);
    rmSync(hh);
    assert.deepStrictEqual(await t.filesChanged([hh]), ['Mine']);
    assert.strictEqual(t.get('Mine'), undefined);
  });
});
