// The symmetric forms the rewrite writes into rules files (func symmetric_toeplitz, which mlx5
// applies as its sort variant; the repeated 0x6d5a key for a NIC without a symmetric function) must
// parse in dpdk-testpmd, as FastClick's FLOW_RULES_FILE parser is testpmd's. Needs no FastClick build.
import * as assert from 'node:assert';
import { flowRulesFor } from '../../server/src/core/rewrite/flowRules';
import { BUILTIN_NIC_PROFILES } from '../../server/src/core/rss/nicProfiles';
import { symmetricHashFor } from '../../server/src/core/solver/candidates';
import type { FlowField } from '../../server/src/core/analysis/features';
import { validateRules } from './fastclickRunner';

describe('symmetric flow rules in dpdk-testpmd', function () {
  this.timeout(120_000);

  it("every NIC profile's symmetric rules for the address pair and the 4-tuple parse", function () {
    const rules: string[] = [];
    for (const nic of Object.values(BUILTIN_NIC_PROFILES)) {
      for (const fields of [
        ['src_ip', 'dst_ip'],
        ['src_ip', 'dst_ip', 'src_port', 'dst_port'],
      ] as FlowField[][]) {
        const symmetric = symmetricHashFor(nic, fields);
        assert.ok(symmetric, `${nic.id} offers symmetric hashing over ${fields.join(' ')}`);
        const v = flowRulesFor(fields, [0, 1, 2, 3], { nic, symmetric });
        assert.ok(v.ok, `${nic.id}: ${!v.ok && v.reason}`);
        rules.push(...v.rules);
      }
    }
    assert.ok(rules.some((r) => /func symmetric_toeplitz /.test(r)) && rules.some((r) => /key (6d5a)+ key_len 40/.test(r)));
    const rejected = validateRules([...new Set(rules)]).filter((v) => !v.accepted);
    assert.deepStrictEqual(
      rejected.map((v) => `${v.rule} → ${v.output.split('\n').pop()}`),
      [],
    );
  });
});
