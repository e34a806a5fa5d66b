// Imbalance in the plan: with a trace, analyzeConfig reports each candidate's imbalance (max / mean
// queue load), adds it to the cost and rejects candidates over flowmage.solver.maxImbalance. The
// numbers are checked against a packet-by-packet computation written here (generic Toeplitz over
// each packet, DPDK's RETA fill written out), independent of the simulator's tables.
import * as assert from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FlowField } from '../../../server/src/core/analysis/features';
import { FeatureTracker } from '../../../server/src/core/analysis/featureTracker';
import { analyzeConfig, type AnalyzeOptions } from '../../../server/src/core/chains/analyzeConfig';
import { elementInfo } from '../../../server/src/core/chains/elementLookup';
import { analyzeOptions } from '../../../server/src/config/coreOptions';
import { ElementIndex } from '../../../server/src/core/cpp/elementIndex';
import { syntheticTrace } from '../../../server/src/core/rss/synthetic';
import { MICROSOFT_RSS_KEY, rssHash } from '../../../server/src/core/rss/toeplitz';
import { aggregateFlows, type Trace } from '../../../server/src/core/rss/trace';
import { readSettings, type SettingId } from '../../../server/src/core/settings';
import { FeatureStore } from '../../../server/src/core/store/featureStore';
import { ROOT, parse } from '../chains/fixtureFeatures';

const EXAMPLES = join(ROOT, 'examples');
const PAPER = readFileSync(join(EXAMPLES, 'paper-chain.click'), 'utf8');

let tracker: Promise<FeatureTracker> | undefined;
async function options(settings: Partial<Record<SettingId, unknown>> = {}, extra: Partial<AnalyzeOptions> = {}): Promise<AnalyzeOptions> {
  tracker ??= (async () => {
    const index = await ElementIndex.create();
    await index.build([join(EXAMPLES, 'elements')]);
    const t = new FeatureTracker(index, FeatureStore.memory(EXAMPLES));
    await t.analyzeAll();
    return t;
  })();
  const t = await tracker;
  return { ...analyzeOptions(readSettings(settings), (n) => elementInfo(t, n)), ...extra };
}

/** Packet by packet: hash each packet's fields, look its queue up in a 512-entry round-robin RETA. */
function independentImbalance(trace: Trace, fields: readonly FlowField[], queues: number): number {
  const load = new Array<number>(queues).fill(0);
  for (let i = 0; i < trace.length; i++) {
    const h = rssHash(
      MICROSOFT_RSS_KEY,
      { srcIp: trace.srcIp[i], dstIp: trace.dstIp[i], srcPort: trace.srcPort[i], dstPort: trace.dstPort[i], protocol: trace.protocol[i] },
      fields,
    );
    load[(h & 511) % queues]++;
  }
  return Math.max(...load) / (trace.length / queues);
}

describe('plan: RSS imbalance on a trace', function () {
  this.timeout(60_000);
  // One heavy source opens half of the connections; popularity is flat enough that no single
  // connection dominates, so only address-only hashing piles traffic on one core.
  const trace = syntheticTrace({ packets: 20_000, connections: 4000, zipf: 0.4, heavySources: 1, heavyShare: 0.5, twoWayShare: 0, seed: 11 });
  const flows = aggregateFlows(trace);

  it('without a trace the plan hashes src_ip alone and warns that one address field can overload a core', async () => {
    const analysis = await analyzeConfig(await parse(PAPER), await options());
    const c = analysis.chains[0];
    assert.deepStrictEqual(c.plan.rss, ['src_ip']);
    assert.strictEqual(c.plan.imbalance, undefined);
    assert.match(c.plan.balanceWarning ?? '', /single address field \(src_ip\).*flowmage\.solver\.trace/);
    assert.ok(c.plan.notes.includes(c.plan.balanceWarning!));
    const f = analysis.findings.find((x) => x.code === 'rss-balance');
    assert.ok(f, analysis.findings.map((x) => x.code).join());
    assert.strictEqual(PAPER.slice(f.range.startOffset, f.range.endOffset), 'input');
  });

  it('reports the imbalance of the plan and of every alternative as a packet-by-packet computation finds it', async () => {
    const analysis = await analyzeConfig(await parse(PAPER), await options({ 'flowmage.solver.maxImbalance': 0 }, { trace: { name: 'heavy.pcap', flows } }));
    const c = analysis.chains[0];
    assert.strictEqual(c.threads, 16);
    assert.strictEqual(c.trace?.queues, 16);
    assert.ok(c.plan.imbalance !== undefined);
    assert.ok(Math.abs(c.plan.imbalance - independentImbalance(trace, c.plan.rss, 16)) < 1e-9, `${c.plan.imbalance}`);
    assert.strictEqual(c.plan.alternatives.length, 30);
    for (const alt of c.plan.alternatives) {
      assert.ok(Math.abs(alt.imbalance! - independentImbalance(trace, alt.rss, 16)) < 1e-9, alt.rss.join(' '));
    }
    // The cost is the sharing penalties plus imbalanceWeight (2) × (imbalance − 1).
    const sharing = c.plan.elements.reduce((s, e) => s + (e.shared ? e.penalty : 0), 0);
    assert.ok(Math.abs(c.plan.cost - (sharing + 2 * (c.plan.imbalance - 1))) < 1e-3, `${c.plan.cost}`);
    assert.strictEqual(c.plan.balanceWarning, undefined);
    // Per-queue loads for today's hashing (the driver's 5-tuple here) and the plan's, as the chain view draws them.
    assert.deepStrictEqual(c.trace!.current.fields, c.current.rss);
    assert.ok(Math.abs(c.trace!.current.imbalance - independentImbalance(trace, c.current.rss, 16)) < 1e-9);
    assert.strictEqual(
      c.trace!.chosen.packets.reduce((x, y) => x + y, 0),
      trace.length,
    );
  });

  it('a heavy source makes the src_ip candidate rejected, with the reason, and the plan moves off it', async () => {
    const srcOnly = independentImbalance(trace, ['src_ip'], 16);
    assert.ok(srcOnly > 4, `the heavy source loads one queue: ${srcOnly}`);
    const analysis = await analyzeConfig(await parse(PAPER), await options({}, { trace: { name: 'heavy.pcap', flows } }));
    const c = analysis.chains[0];
    assert.notDeepStrictEqual(c.plan.rss, ['src_ip']);
    assert.ok(c.plan.imbalance! <= 2, `${c.plan.imbalance}`);
    const rejected = c.plan.alternatives.find((a) => a.rss.join(' ') === 'src_ip');
    assert.ok(rejected?.rejected, JSON.stringify(rejected));
    assert.match(rejected.verdict, new RegExp(`^rejected: imbalance ${srcOnly.toFixed(2)} on the trace heavy\\.pcap exceeds flowmage\\.solver\\.maxImbalance 2`));
    assert.ok(
      c.plan.notes.some((n) => /^rejected on the trace heavy\.pcap .*src_ip \d/.test(n)),
      c.plan.notes.join('\n'),
    );
    // Rejected candidates never win, whatever their sharing cost.
    for (const a of c.plan.alternatives.filter((x) => x.rejected)) assert.ok(a.imbalance! > 2);
  });

  it('a second analysis with the same trace reuses the simulated loads (an edit costs no re-simulation)', async () => {
    const o = await options({}, { trace: { name: 'heavy.pcap', flows } });
    const a = await analyzeConfig(await parse(PAPER), o);
    const b = await analyzeConfig(await parse(PAPER.replace('NDESC 256', 'NDESC 512')), o);
    assert.strictEqual(b.chains[0].trace!.chosen, a.chains[0].trace!.chosen);
    assert.ok(b.chains[0].trace!.loads.every((l, i) => l === a.chains[0].trace!.loads[i]));
    // Another queue count is another simulation.
    const c = await analyzeConfig(await parse(PAPER), await options({}, { trace: { name: 'heavy.pcap', flows, queues: 8 } }));
    assert.notStrictEqual(c.chains[0].trace!.loads[0], a.chains[0].trace!.loads[0]);
    assert.strictEqual(c.chains[0].trace!.loads[0].packets.length, 8);
  });

  it('with every candidate over the threshold none is rejected, and the notes say so', async () => {
    const analysis = await analyzeConfig(await parse(PAPER), await options({ 'flowmage.solver.maxImbalance': 1 }, { trace: { name: 'heavy.pcap', flows } }));
    const c = analysis.chains[0];
    assert.ok(c.plan.alternatives.every((a) => !a.rejected));
    assert.ok(c.plan.notes.some((n) => /every candidate's imbalance .* exceeds flowmage\.solver\.maxImbalance 1/.test(n)));
  });
});
