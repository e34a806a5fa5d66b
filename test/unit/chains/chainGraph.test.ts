import * as assert from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeConfig } from '../../../server/src/core/chains/analyzeConfig';
import { addTraceLoads, chainGraphs, type ChainGraph } from '../../../server/src/core/chains/chainGraph';
import { captureFlows } from '../../../server/src/core/rss/traceBalance';
import { TraceFormatError } from '../../../server/src/core/rss/pcap';
import { defaultReta, queueOf } from '../../../server/src/core/rss/reta';
import { syntheticTrace } from '../../../server/src/core/rss/synthetic';
import { MICROSOFT_RSS_KEY, rssHash } from '../../../server/src/core/rss/toeplitz';
import { ethernetFrame, writePcap } from '../../support/captureWriter';
import { ROOT, fixtureOptions, parse } from './fixtureFeatures';

const PAPER = readFileSync(join(ROOT, 'examples', 'paper-chain.click'), 'utf8');

async function graphsOf(text: string): Promise<ChainGraph[]> {
  const model = await parse(text);
  return chainGraphs(await analyzeConfig(model, await fixtureOptions()));
}

const byId = (g: ChainGraph) => new Map(g.nodes.map((n) => [n.id, n]));

describe('chain graph', () => {
  it('colours the paper chain by the plan: detector and counter shared-nothing, policer shared, as configured all shared', async () => {
    const [g] = await graphsOf(PAPER);
    assert.strictEqual(g.input, 'input');
    assert.deepStrictEqual(g.currentRss, ['src_ip', 'dst_ip', 'src_port', 'dst_port', 'protocol']);
    assert.deepStrictEqual(g.plannedRss, ['src_ip']);
    assert.ok(g.plannedCost < g.currentCost, 'the plan costs less than the configuration as written');
    const nodes = byId(g);
    assert.strictEqual(nodes.get('input')?.status, 'input');
    const stateful = Object.fromEntries(['psd', 'policer', 'counter'].map((id) => [id, [nodes.get(id)?.status, nodes.get(id)?.currentStatus, nodes.get(id)?.flowKey.join(' ')]]));
    assert.deepStrictEqual(stateful, {
      psd: ['shared-nothing', 'shared', 'src_ip'],
      policer: ['shared', 'shared', 'dst_ip'],
      counter: ['shared-nothing', 'shared', 'src_ip dst_ip src_port dst_port protocol'],
    });
    // The classifier is not among the fixture elements: the graph says so rather than guess.
    const classifier = g.nodes.find((n) => n.className === 'Classifier');
    assert.strictEqual(classifier?.status, 'unknown');
    // The range is the declaration in the text.
    const psd = nodes.get('psd')!;
    assert.strictEqual(PAPER.slice(psd.range.startOffset, psd.range.endOffset), 'psd :: IPortScanDetector(SIZE 8000000)');
  });

  it('links the elements in order with their ports', async () => {
    const [g] = await graphsOf(PAPER);
    const names = g.nodes.map((n) => n.id);
    assert.deepStrictEqual(
      g.edges.map((e) => `${e.from}[${e.fromPort}] -> [${e.toPort}]${e.to}`),
      names.slice(0, -1).map((from, i) => `${from}[0] -> [0]${names[i + 1]}`),
    );
  });

  it('marks exactly the pairs with disjoint keys as conflicts, and which side the plan shares', async () => {
    const [g] = await graphsOf(PAPER);
    assert.deepStrictEqual(
      g.conflicts.map((c) => [c.a, c.b, c.shared]),
      [['psd', 'policer', ['policer']]],
    );
    assert.match(g.conflicts[0].message, /psd keeps state per src_ip and policer per dst_ip/);
  });

  it('follows compound and group ports and keeps the port numbers written on each side', async () => {
    const [g] = await graphsOf(`
elementclass Pair { input -> a :: IPolicer(SIZE 10) -> output; input[1] -> b :: ISourceCounter -> [1]output }
src :: FromDPDKDevice(0, MAXTHREADS 4) -> sw :: HashSwitch(0, 4);
sw[0] -> p :: Pair;
sw[1] -> [1]p;
p[1] -> ( input -> q :: EtherMirror -> output ) -> d :: Discard;
p[0] -> [0]join :: IFlowCounter;
`);
    const edges = g.edges.map((e) => `${e.from}[${e.fromPort}] -> [${e.toPort}]${e.to}`).sort();
    assert.deepStrictEqual(edges, ['p/a[0] -> [0]join', 'p/b[0] -> [0]q', 'q[0] -> [0]d', 'src[0] -> [0]sw', 'sw[0] -> [0]p/a', 'sw[1] -> [0]p/b'].sort());
    const nodes = byId(g);
    assert.strictEqual(nodes.get('p/a')?.status, 'shared-nothing', 'dst_ip policer alone: RSS on dst_ip keeps it shared-nothing');
    assert.deepStrictEqual(
      g.conflicts.map((c) => [c.a, c.b].sort().join(' / ')),
      ['p/a / p/b'],
      'the policer (dst_ip) and the source counter (src_ip) conflict; the 5-tuple counter conflicts with neither',
    );
  });

  it('draws each chain of a configuration with two inputs on its own', async () => {
    const graphs = await graphsOf(`
a :: FromDPDKDevice(0) -> pa :: IPolicer -> Discard;
b :: FromDPDKDevice(1) -> sb :: ISourceCounter -> Discard;
`);
    assert.deepStrictEqual(
      graphs.map((g) => [g.input, g.nodes.map((n) => n.className)]),
      [
        ['a', ['FromDPDKDevice', 'IPolicer', 'Discard']],
        ['b', ['FromDPDKDevice', 'ISourceCounter', 'Discard']],
      ],
    );
    assert.deepStrictEqual(
      graphs.map((g) => g.conflicts.length),
      [0, 0],
      'keys of different chains never conflict',
    );
  });

  describe('per-queue loads from a trace', () => {
    const trace = syntheticTrace({ packets: 4000, connections: 300, seed: 7 });
    const frames: Uint8Array[] = [];
    for (let i = 0; i < trace.length; i++) {
      frames.push(ethernetFrame({ src: trace.srcIp[i], dst: trace.dstIp[i], sport: trace.srcPort[i], dport: trace.dstPort[i], proto: trace.protocol[i] }));
    }
    const capture = writePcap(frames);

    it('counts every packet on the queue its Toeplitz hash and the RETA give, for the current and the planned fields', async () => {
      const [g] = addTraceLoads(await graphsOf(PAPER), captureFlows(capture), 'all-subsets');
      const loads = g.loads!;
      assert.strictEqual(loads.queues, 16, 'the chain runs MAXTHREADS 16');
      assert.strictEqual(loads.packets, trace.length);
      // Independently: hash each packet of the trace (not the flow table) and look up the RETA.
      const reta = defaultReta(512, 16);
      for (const side of [loads.current, loads.planned]) {
        const expected = new Array<number>(16).fill(0);
        for (let i = 0; i < trace.length; i++) {
          const t = { srcIp: trace.srcIp[i], dstIp: trace.dstIp[i], srcPort: trace.srcPort[i], dstPort: trace.dstPort[i], protocol: trace.protocol[i] };
          expected[queueOf(reta, rssHash(MICROSOFT_RSS_KEY, t, side.rss))]++;
        }
        assert.deepStrictEqual(side.packets, expected, `queues under ${side.rss.join(' ')}`);
        const mean = trace.length / 16;
        assert.ok(Math.abs(side.imbalance - Math.max(...expected) / mean) < 1e-9);
      }
      assert.deepStrictEqual(loads.planned.rss, ['src_ip']);
      assert.ok(loads.planned.imbalance > loads.current.imbalance, 'the synthetic trace has heavy sources: hashing src_ip alone is less even than the 5-tuple');
    });

    it('simulates the default 16 queues when the chain does not say how many it runs', async () => {
      const [g] = addTraceLoads(await graphsOf('src :: FromDPDKDevice(0) -> c :: IFlowCounter -> Discard;'), captureFlows(capture), 'ixgbe');
      assert.strictEqual(g.loads?.queues, 16);
      assert.strictEqual(
        g.loads?.current.packets.reduce((a, b) => a + b, 0),
        trace.length,
      );
    });

    it('rejects bytes that are no capture with a TraceFormatError', () => {
      assert.throws(
        () => captureFlows(new TextEncoder().encode('not a capture at all')),
        (e: unknown) => e instanceof TraceFormatError,
      );
    });
  });
});
