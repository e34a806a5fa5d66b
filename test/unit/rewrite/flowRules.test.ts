// RSS field sets as DPDK flow rules (testpmd syntax) and ethtool steps.
import * as assert from 'node:assert';
import type { FlowField } from '../../../server/src/core/analysis/features';
import { ethtoolSteps, expressibleAsFlowRules, flowRulesFor, flowRulesText, isDriverDefault } from '../../../server/src/core/rewrite/flowRules';

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
