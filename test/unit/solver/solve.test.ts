import * as assert from 'node:assert';
import fc from 'fast-check';
import { FLOW_FIELDS, type FlowField } from '../../../server/src/core/analysis/features';
import { candidateFieldSets, isSubset, parseFieldList } from '../../../server/src/core/solver/candidates';
import { sharingPenalty } from '../../../server/src/core/solver/cost';
import { defaultSettings } from '../../../server/src/core/settings';

/** The weights users get unless they change flowmage.solver.weights.*. */
const DEFAULT_WEIGHTS = defaultSettings().solver.weights;
import { rankByComparison, solve, staticRanking } from '../../../server/src/core/solver/solve';
import type { SolverElement } from '../../../server/src/core/solver/types';

const ALL = candidateFieldSets('all-subsets');
const FIVE: FlowField[] = [...FLOW_FIELDS];

const psd: SolverElement = {
  name: 'psd',
  className: 'IPortScanDetector',
  features: { stateful: true, flowKey: ['src_ip'], intensity: 'per-packet', pointerChasing: true },
  workEstimate: 40,
};
const policer: SolverElement = {
  name: 'policer',
  className: 'IPolicer',
  features: { stateful: true, flowKey: ['dst_ip'], intensity: 'per-packet', pointerChasing: false },
  workEstimate: 12,
};
const counter: SolverElement = {
  name: 'counter',
  className: 'IFlowCounter',
  features: { stateful: true, flowKey: FIVE, intensity: 'per-packet', pointerChasing: false },
  workEstimate: 8,
};
const tracker: SolverElement = {
  name: 'tracker',
  className: 'ISourceCounter',
  features: { stateful: true, flowKey: ['src_ip'], intensity: 'per-packet', pointerChasing: false },
  workEstimate: 10,
};
const checker: SolverElement = { name: 'check', className: 'CheckIPHeader', features: { stateful: false, flowKey: [], intensity: null, pointerChasing: false } };

describe('RSS candidates', () => {
  it('the default profile is every non-empty subset of the 5-tuple', () => {
    assert.strictEqual(ALL.length, 31);
    assert.ok(ALL.every((s) => s.length > 0));
  });
  it('the dpdk-common profile restricts to IP pairs and tuples', () => {
    assert.deepStrictEqual(
      candidateFieldSets('dpdk-common').map((s) => s.join(' ')),
      ['src_ip', 'dst_ip', 'src_ip dst_ip', 'src_ip dst_ip src_port dst_port', 'src_ip dst_ip src_port dst_port protocol'],
    );
  });
  it('a custom list is validated and canonicalized', () => {
    const problems: string[] = [];
    const sets = candidateFieldSets('custom', [['dst_ip', 'src_ip'], ['mac'], []], problems);
    assert.deepStrictEqual(sets, [['src_ip', 'dst_ip']]);
    assert.strictEqual(problems.length, 2);
  });
  it('parses field lists as configurations write them', () => {
    assert.deepStrictEqual(parseFieldList('"dst_ip src_ip"'), { fields: ['src_ip', 'dst_ip'], unknown: [] });
    assert.deepStrictEqual(parseFieldList('5-tuple').fields, FIVE);
    assert.deepStrictEqual(parseFieldList('src_ip,vlan').unknown, ['vlan']);
  });
});

describe('solver: keys outside the 5-tuple', () => {
  const learner: SolverElement = {
    name: 'learner',
    className: 'MacLearner',
    features: { stateful: true, flowKey: [], otherKeyFields: ['src_mac'], intensity: 'per-packet', pointerChasing: false },
  };
  const frag: SolverElement = {
    name: 'frag',
    className: 'FragTable',
    features: { stateful: true, flowKey: ['src_ip', 'dst_ip', 'protocol'], otherKeyFields: ['ip_id'], intensity: 'per-packet', pointerChasing: false },
  };

  it('state keyed only by a MAC address is shared under every RSS set, and the plan says why', () => {
    const plan = solve([learner, tracker], { candidates: ALL, weights: DEFAULT_WEIGHTS });
    const d = plan.elements.find((e) => e.name === 'learner')!;
    assert.strictEqual(d.shared, true);
    assert.match(d.reason, /keyed only by src_mac, outside the 5-tuple/);
    assert.strictEqual(plan.elements.find((e) => e.name === 'tracker')!.shared, false);
  });

  it('a chain holding a fragment-keyed element never hashes ports, and says why', () => {
    const reassembler: SolverElement = { name: 'reasm', className: 'Reassembler', features: { ...frag.features!, fragments: true } };
    const plan = solve([reassembler, counter], { candidates: ALL, weights: DEFAULT_WEIGHTS });
    assert.ok(!plan.rss.includes('src_port') && !plan.rss.includes('dst_port'), plan.rss.join(' '));
    assert.ok(plan.alternatives.every((a) => !a.rss.includes('src_port') && !a.rss.includes('dst_port')));
    assert.ok(
      plan.notes.some((n) => /reasm handle IP fragments/.test(n)),
      plan.notes.join('\n'),
    );
    const without = solve([frag, counter], { candidates: ALL, weights: DEFAULT_WEIGHTS });
    assert.ok(without.alternatives.some((a) => a.rss.includes('src_port')));
  });

  it('state keyed by addresses plus the IP id stays on one core under RSS on the addresses', () => {
    const plan = solve([frag], { candidates: ALL, weights: DEFAULT_WEIGHTS });
    assert.strictEqual(plan.elements[0].shared, false);
    assert.ok(isSubset(plan.rss, ['src_ip', 'dst_ip', 'protocol']), plan.rss.join(' '));
  });
});

describe('solver: paper scenarios', () => {
  it('a destination-IP policer and a source-IP tracker: exactly one is shared', () => {
    const plan = solve([policer, tracker], { candidates: ALL, weights: DEFAULT_WEIGHTS });
    const shared = plan.elements.filter((e) => e.shared === true).map((e) => e.name);
    assert.strictEqual(shared.length, 1);
    assert.ok(plan.rss.length === 1 && (plan.rss[0] === 'src_ip' || plan.rss[0] === 'dst_ip'));
    assert.strictEqual(plan.conflicts.length, 1);
    assert.strictEqual(plan.conflicts[0].disjointWith.length, 1);
  });

  it('Figure 7: psd + policer + counter ties between src_ip and dst_ip; the heavier detector wins', () => {
    // Equal weights so that only the tie-break decides (the paper's rank-based cost ties here).
    const weights = { ...DEFAULT_WEIGHTS, pointerChasingFactor: 1 };
    const plan = solve([checker, psd, policer, counter], { candidates: ALL, weights });
    assert.deepStrictEqual(plan.rss, ['src_ip']);
    const byName = Object.fromEntries(plan.elements.map((e) => [e.name, e.shared]));
    assert.deepStrictEqual(byName, { check: null, psd: false, policer: true, counter: false });
    assert.strictEqual(plan.tieBreak.method, 'static-estimate');
    assert.deepStrictEqual(plan.tieBreak.ranking, ['psd', 'policer']);
    const dst = plan.alternatives.find((a) => a.rss.join() === 'dst_ip');
    assert.ok(dst && dst.cost === plan.cost, 'dst_ip ties on cost');
    assert.match(dst.verdict, /ranks psd heavier/);
  });

  it('Figure 7 with a ranking that says the policer is heavier picks dst_ip', () => {
    const weights = { ...DEFAULT_WEIGHTS, pointerChasingFactor: 1 };
    const plan = solve([psd, policer, counter], { candidates: ALL, weights, ranking: { method: 'llm', order: ['policer', 'psd'], detail: 'test' } });
    assert.deepStrictEqual(plan.rss, ['dst_ip']);
    assert.strictEqual(plan.tieBreak.method, 'llm');
  });

  it('with default weights pointer chasing makes the detector costlier to share, so src_ip wins without a tie', () => {
    const plan = solve([psd, policer, counter], { candidates: ALL, weights: DEFAULT_WEIGHTS });
    assert.deepStrictEqual(plan.rss, ['src_ip']);
    assert.strictEqual(plan.tieBreak.method, 'none');
    assert.strictEqual(plan.cost, sharingPenalty(policer, DEFAULT_WEIGHTS));
    const conflict = plan.conflicts.find((c) => c.element === 'policer');
    assert.deepStrictEqual(conflict?.disjointWith, ['psd']);
  });

  it('among field sets with the same shared-nothing elements it prefers the most fields', () => {
    const plan = solve([counter], { candidates: ALL, weights: DEFAULT_WEIGHTS });
    assert.deepStrictEqual(plan.rss, FIVE);
  });

  it('stateless and unknown elements never get a sharing decision', () => {
    const unknown: SolverElement = { name: 'x', className: 'Mystery', features: null };
    const plan = solve([checker, unknown, counter], { candidates: ALL, weights: DEFAULT_WEIGHTS });
    assert.strictEqual(plan.elements.find((e) => e.name === 'x')?.shared, null);
    assert.strictEqual(plan.elements.find((e) => e.name === 'check')?.shared, null);
    assert.deepStrictEqual(plan.unknownElements, ['x']);
  });

  it('a stateful element with an empty key always shares', () => {
    const opaque: SolverElement = { name: 'o', className: 'Opaque', features: { stateful: true, flowKey: [], intensity: 'per-flow', pointerChasing: false } };
    const plan = solve([opaque], { candidates: ALL, weights: DEFAULT_WEIGHTS });
    assert.strictEqual(plan.elements[0].shared, true);
    assert.match(plan.conflicts[0].reason, /no known flow key/);
  });
});

describe('solver: properties on random chains', () => {
  const keyArb = fc.subarray([...FLOW_FIELDS]);
  const elementArb = fc.record({
    stateful: fc.boolean(),
    flowKey: keyArb,
    intensity: fc.constantFrom('per-packet' as const, 'per-flow' as const),
    pointerChasing: fc.boolean(),
    work: fc.integer({ min: 0, max: 50 }),
  });
  const chainArb = fc.array(elementArb, { minLength: 1, maxLength: 8 });
  const profileArb = fc.constantFrom('all-subsets' as const, 'dpdk-common' as const);

  it('is never beaten by brute force and never runs an element shared-nothing when r ⊄ F', () => {
    fc.assert(
      fc.property(chainArb, profileArb, (chain, profile) => {
        const elements: SolverElement[] = chain.map((c, i) => ({
          name: `e${i}`,
          className: 'C',
          features: { stateful: c.stateful, flowKey: c.stateful ? c.flowKey : [], intensity: c.stateful ? c.intensity : null, pointerChasing: c.pointerChasing },
          workEstimate: c.work,
        }));
        const candidates = candidateFieldSets(profile);
        const plan = solve(elements, { candidates, weights: DEFAULT_WEIGHTS });
        const brute = Math.min(
          ...candidates.map((r) => elements.reduce((s, e) => s + (e.features!.stateful && !isSubset(r, e.features!.flowKey) ? sharingPenalty(e, DEFAULT_WEIGHTS) : 0), 0)),
        );
        assert.strictEqual(plan.cost, brute);
        for (const d of plan.elements) {
          if (d.shared === false) assert.ok(isSubset(plan.rss, d.flowKey), `${d.name} shared-nothing with r ⊄ F`);
          if (d.stateful && isSubset(plan.rss, d.flowKey)) assert.strictEqual(d.shared, false);
        }
        // Deterministic: same input, same answer.
        assert.deepStrictEqual(solve(elements, { candidates, weights: DEFAULT_WEIGHTS }), plan);
      }),
      { numRuns: 400 },
    );
  });
});

describe('ranking by pairwise comparison', () => {
  it('sorts heaviest first with fewer calls than all pairs', async () => {
    const weight: Record<string, number> = { a: 1, b: 5, c: 3, d: 9, e: 2, f: 7 };
    const names = Object.keys(weight);
    const { order, asked } = await rankByComparison(names, async (x, y) => (weight[x] >= weight[y] ? x : y), staticRanking([], names));
    assert.deepStrictEqual(order, ['d', 'f', 'b', 'c', 'e', 'a']);
    assert.ok(asked < (names.length * (names.length - 1)) / 2, `asked ${asked}`);
  });
  it('falls back to the static order when the comparator cannot answer', async () => {
    const fallback = { method: 'static-estimate' as const, order: ['y', 'x'], detail: '' };
    const { order, unanswered } = await rankByComparison(['x', 'y'], async () => null, fallback);
    assert.deepStrictEqual(order, ['y', 'x']);
    assert.strictEqual(unanswered, 1);
  });
});

describe('static work estimate', () => {
  it('ranks a loop over a per-host list above a token-bucket update', async () => {
    const { estimateWork } = await import('../../../server/src/core/solver/workEstimate');
    const scan =
      'void push(Packet *p) { auto *h = _table.find(p->ip_header()->ip_src); for (Port *q = h->ports; q; q = q->next) { if (q->port == port) return; } h->ports = new Port(port, h->ports); }';
    const bucket = 'void push(Packet *p) { auto &b = _table[p->ip_header()->ip_dst]; b.tokens += rate; if (b.tokens < 1) drop(p); }';
    assert.ok(estimateWork(scan) > estimateWork(bucket));
    assert.strictEqual(estimateWork('// for (;;) { find(x); }\n'), 0, 'comments do not count');
  });
});
