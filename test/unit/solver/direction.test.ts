// Direction-aware solving: an element that sees both directions of a connection is shared-nothing
// only under symmetric hashing (a symmetric function or key) over a symmetric field set.
import * as assert from 'node:assert';
import fc from 'fast-check';
import { FLOW_FIELDS, type FlowField } from '../../../server/src/core/analysis/features';
import { candidateFieldSets, symmetricHashFor } from '../../../server/src/core/solver/candidates';
import { defaultSettings } from '../../../server/src/core/settings';

const DEFAULT_WEIGHTS = defaultSettings().solver.weights;
import { isSymmetricSet, keepsFlowsTogether, solve } from '../../../server/src/core/solver/solve';
import type { SolverElement } from '../../../server/src/core/solver/types';
import { BUILTIN_NIC_PROFILES } from '../../../server/src/core/rss/nicProfiles';
import { MICROSOFT_RSS_KEY, rssHash, symmetricKey } from '../../../server/src/core/rss/toeplitz';

const ALL = candidateFieldSets('all-subsets');
const FOUR: FlowField[] = ['src_ip', 'dst_ip', 'src_port', 'dst_port'];
const nat: SolverElement = {
  name: 'nat',
  className: 'TwoWayNAT',
  features: { stateful: true, flowKey: FOUR, bidirectional: true, intensity: 'per-packet', pointerChasing: false },
};
const oneWay: SolverElement = { ...nat, name: 'counter', features: { ...nat.features!, bidirectional: undefined } };

describe('solver: elements that see both directions', () => {
  it('is shared (never shared-nothing) when no symmetric hashing is offered', () => {
    const plan = solve([nat], { candidates: ALL, weights: DEFAULT_WEIGHTS });
    assert.strictEqual(plan.elements[0].shared, true);
    assert.strictEqual(plan.symmetric, undefined);
    assert.ok(plan.notes.some((n) => /both directions/.test(n)));
    // The same element without the direction mark is shared-nothing on the same candidates.
    assert.strictEqual(solve([oneWay], { candidates: ALL, weights: DEFAULT_WEIGHTS }).elements[0].shared, false);
  });

  it('is shared-nothing with symmetric hashing, on a symmetric set inside its key', () => {
    const plan = solve([nat], { candidates: ALL, weights: DEFAULT_WEIGHTS, symmetric: (rss) => symmetricHashFor(undefined, rss) });
    assert.strictEqual(plan.elements[0].shared, false);
    assert.deepStrictEqual(plan.symmetric, { how: 'function', func: 'symmetric_toeplitz' });
    assert.ok(isSymmetricSet(plan.rss));
    assert.deepStrictEqual(plan.rss, FOUR);
  });

  it('symmetric hashing is chosen only when an element needs it', () => {
    const plan = solve([oneWay], { candidates: ALL, weights: DEFAULT_WEIGHTS, symmetric: (rss) => symmetricHashFor(undefined, rss) });
    assert.strictEqual(plan.symmetric, undefined);
    assert.ok(
      plan.alternatives.every((a) => !a.symmetric),
      'no symmetric candidate is weighed without a two-way element',
    );
  });

  it('keepsFlowsTogether: r ⊆ F, and for two-way state a symmetric hash over a symmetric r', () => {
    fc.assert(
      fc.property(fc.subarray([...FLOW_FIELDS], { minLength: 1 }), fc.boolean(), (rss, sym) => {
        const c = { rss: rss as FlowField[], ...(sym ? { symmetric: { how: 'key' as const } } : {}) };
        const inside = rss.every((f) => FOUR.includes(f as FlowField));
        assert.strictEqual(keepsFlowsTogether(oneWay, c), inside);
        assert.strictEqual(keepsFlowsTogether(nat, c), inside && sym && isSymmetricSet(rss as FlowField[]));
      }),
    );
  });

  it('what the solver calls symmetric is: swapped tuples hash alike with the offered key on every NIC', () => {
    for (const nic of Object.values(BUILTIN_NIC_PROFILES)) {
      for (const rss of candidateFieldSets(nic.id as 'ice')) {
        const s = symmetricHashFor(nic, rss);
        if (!s) {
          assert.ok(!isSymmetricSet(rss), `${nic.id}: ${rss.join(' ')}`);
          continue;
        }
        fc.assert(
          fc.property(fc.nat(0xffffffff), fc.nat(0xffffffff), fc.nat(0xffff), fc.nat(0xffff), (a, b, p, q) => {
            const key = s.how === 'key' ? symmetricKey(nic.keySize) : MICROSOFT_RSS_KEY;
            const func = s.how === 'function' ? s.func : 'toeplitz';
            const there = rssHash(key, { srcIp: a, dstIp: b, srcPort: p, dstPort: q, protocol: 6 }, rss, func);
            const back = rssHash(key, { srcIp: b, dstIp: a, srcPort: q, dstPort: p, protocol: 6 }, rss, func);
            assert.strictEqual(there, back);
          }),
          { numRuns: 50 },
        );
      }
    }
  });
});
