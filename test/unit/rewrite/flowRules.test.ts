// RSS field sets as DPDK flow rules (testpmd syntax) and ethtool steps.
import * as assert from 'node:assert';
import type { FlowField } from '../../../server/src/core/analysis/features';
import { ethtoolSteps, expressibleAsFlowRules, flowRulesFor, flowRulesText, isDriverDefault, rulesAreSymmetric } from '../../../server/src/core/rewrite/flowRules';
import { BUILTIN_NIC_PROFILES } from '../../../server/src/core/rss/nicProfiles';
import { candidateFieldSets } from '../../../server/src/core/solver/candidates';

const rules = (fields: FlowField[], queues = [0, 1, 2, 3]) => {
  const v = flowRulesFor(fields, queues);
  assert.ok(v.ok, JSON.stringify(v));
  return v.rules;
};

describe('flow rules for RSS field sets', () => {
  it('one address: one IPv4 rule with the side modifier, over the queues', () => {
    assert.deepStrictEqual(rules(['src_ip']), ['ingress pattern eth / ipv4 / end actions rss types ipv4 l3-src-only end queues 0 1 2 3 end / end']);
    assert.deepStrictEqual(rules(['dst_ip'], [0, 1]), ['ingress pattern eth / ipv4 / end actions rss types ipv4 l3-dst-only end queues 0 1 end / end']);
    assert.deepStrictEqual(rules(['src_ip', 'dst_ip']), ['ingress pattern eth / ipv4 / end actions rss types ipv4 end queues 0 1 2 3 end / end']);
  });

  it('ports: TCP and UDP rules first, then other IPv4 on the addresses alone', () => {
    assert.deepStrictEqual(rules(['src_ip', 'src_port'], [0, 1]), [
      'ingress priority 0 pattern eth / ipv4 / tcp / end actions rss types ipv4-tcp l3-src-only l4-src-only end queues 0 1 end / end',
      'ingress priority 0 pattern eth / ipv4 / udp / end actions rss types ipv4-udp l3-src-only l4-src-only end queues 0 1 end / end',
      'ingress priority 1 pattern eth / ipv4 / end actions rss types ipv4 l3-src-only end queues 0 1 end / end',
    ]);
    assert.match(rules(['dst_ip', 'src_port', 'dst_port'])[0], /types ipv4-tcp l3-dst-only end/);
  });

  it('the protocol is kept apart by rule, not hashed', () => {
    const v = flowRulesFor(['src_ip', 'protocol'], [0, 1]);
    assert.ok(v.ok);
    assert.deepStrictEqual(v.rules, rules(['src_ip'], [0, 1]));
    assert.ok(v.notes.some((n) => /protocol is not hashed/.test(n)));
  });

  it('sets without an address cannot be expressed; no queues, no rules', () => {
    for (const s of [['protocol'], ['src_port'], ['src_port', 'dst_port', 'protocol']] as FlowField[][]) {
      assert.strictEqual(expressibleAsFlowRules(s), false);
      assert.strictEqual(flowRulesFor(s, [0, 1]).ok, false);
    }
    assert.strictEqual(flowRulesFor(['src_ip'], []).ok, false);
  });

  it('addresses and ports are the driver default', () => {
    assert.ok(isDriverDefault(['src_ip', 'dst_ip', 'src_port', 'dst_port', 'protocol']));
    assert.ok(isDriverDefault(['src_ip', 'dst_ip', 'src_port', 'dst_port']));
    assert.ok(!isDriverDefault(['src_ip', 'dst_ip', 'protocol']));
  });

  it('one rule per line in the file; ethtool letters for kernel NICs', () => {
    assert.strictEqual(flowRulesText(['a', 'b']), 'a\nb\n');
    assert.deepStrictEqual(ethtoolSteps(['src_ip', 'dst_port'], 'eth0'), ['ethtool -N eth0 rx-flow-hash tcp4 sn', 'ethtool -N eth0 rx-flow-hash udp4 sn']);
    assert.deepStrictEqual(ethtoolSteps(['protocol']), []);
  });
});

describe('flow rules on real NIC profiles', () => {
  const ONLY = /\b(l[34]-(?:src|dst)-only)\b/g;
  const CAP: Record<string, keyof (typeof BUILTIN_NIC_PROFILES)['ice']['capabilities']> = {
    'l3-src-only': 'l3SrcOnly',
    'l3-dst-only': 'l3DstOnly',
    'l4-src-only': 'l4SrcOnly',
    'l4-dst-only': 'l4DstOnly',
  };
  for (const nic of Object.values(BUILTIN_NIC_PROFILES)) {
    it(`${nic.id}: emits only rss types its driver supports, refuses the rest with the nearest set`, () => {
      let refused = 0;
      for (const fields of candidateFieldSets('all-subsets')) {
        const v = flowRulesFor(fields, [0, 1], { nic });
        if (v.ok) {
          for (const rule of v.rules) for (const m of rule.matchAll(ONLY)) assert.ok(nic.capabilities[CAP[m[1]]], `${nic.id} ${fields.join(' ')}: ${rule}`);
        } else if (/driver has no/.test(v.reason)) {
          refused++;
          assert.match(v.reason, new RegExp(`^${nic.name.replace(/[()]/g, '\\$&')} cannot hash .*; the nearest set it can hash is `));
        }
      }
      // ixgbe has no *-only type: every one-sided set is refused; the others refuse none.
      assert.strictEqual(refused > 0, nic.id === 'ixgbe', `${nic.id}: ${refused}`);
      // Every field set the profile offers the solver can be written as rules (or has no address).
      for (const fields of candidateFieldSets(nic.id as 'ice')) {
        const v = flowRulesFor(fields, [0, 1], { nic });
        assert.ok(v.ok || /without an IP address/.test(v.reason), `${nic.id} ${fields.join(' ')}: ${!v.ok && v.reason}`);
      }
    });
  }

  it('ixgbe: src_ip alone is refused, naming the address pair', () => {
    const v = flowRulesFor(['src_ip'], [0], { nic: BUILTIN_NIC_PROFILES.ixgbe });
    assert.ok(!v.ok);
    assert.match(v.reason, /no l3-src-only; the nearest set it can hash is src_ip dst_ip/);
  });

  it('symmetric hashing goes into the rss action: func, or the repeated key with its length', () => {
    const f = flowRulesFor(['src_ip', 'dst_ip'], [0, 1], { symmetric: { how: 'function', func: 'symmetric_toeplitz' } });
    assert.ok(f.ok);
    assert.deepStrictEqual(f.rules, ['ingress pattern eth / ipv4 / end actions rss func symmetric_toeplitz types ipv4 end queues 0 1 end / end']);
    const k = flowRulesFor(['src_ip', 'dst_ip'], [0], { nic: BUILTIN_NIC_PROFILES.ice, symmetric: { how: 'key' } });
    assert.ok(k.ok);
    assert.match(k.rules[0], new RegExp(`actions rss key ${'6d5a'.repeat(26)} key_len 52 types ipv4 end`));
    assert.ok(rulesAreSymmetric(flowRulesText(f.rules)) && rulesAreSymmetric(flowRulesText(k.rules)));
    assert.ok(!rulesAreSymmetric(flowRulesText(rules(['src_ip', 'dst_ip']))));
  });
});
