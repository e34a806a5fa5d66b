// Direction-aware solving on a NAT fed by two devices (test/fixtures/twoway): the NAT finds a
// reply's state by swapping its fields (the analysis marks it bidirectional) and keeps it per
// thread, so it is shared-nothing only when both devices hash symmetrically over a symmetric set.
// The rewrite writes the symmetric form the NIC takes; today's driver default is flagged.
import * as assert from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FeatureTracker } from '../../../server/src/core/analysis/featureTracker';
import { analyzeConfig, type AnalyzeOptions } from '../../../server/src/core/chains/analyzeConfig';
import { elementInfo } from '../../../server/src/core/chains/elementLookup';
import { analyzeOptions } from '../../../server/src/config/coreOptions';
import { ElementIndex } from '../../../server/src/core/cpp/elementIndex';
import { readSettings, type SettingId } from '../../../server/src/core/settings';
import { FeatureStore } from '../../../server/src/core/store/featureStore';
import { applyEdits } from '../../../server/src/core/text';
import { ROOT, parse } from './fixtureFeatures';

const DIR = join(ROOT, 'test', 'fixtures', 'twoway');
const CONF = join(DIR, 'nat-two-devices.click');
const TEXT = readFileSync(CONF, 'utf8');

let tracker: Promise<FeatureTracker> | undefined;
async function options(settings: Partial<Record<SettingId, unknown>>, files: Map<string, string> = new Map()): Promise<AnalyzeOptions> {
  tracker ??= (async () => {
    const index = await ElementIndex.create();
    await index.build([join(DIR, 'elements')]);
    const t = new FeatureTracker(index, FeatureStore.memory(DIR));
    await t.analyzeAll();
    return t;
  })();
  const t = await tracker;
  return { ...analyzeOptions(readSettings({ 'flowmage.rewrite.target': 'fastclick', ...settings }), (n) => elementInfo(t, n)), configPath: CONF, readFile: (p) => files.get(p) };
}

const natOf = (a: Awaited<ReturnType<typeof analyzeConfig>>, input: string) => a.chains.find((c) => c.chain.input.id === input)!.elements.find((s) => s.instance.id === 'nat')!;

describe('direction-aware solving: a NAT fed by two devices', function () {
  this.timeout(60_000);

  it('the fixture NAT is marked bidirectional, keyed by the 4-tuple, with per-thread state', async () => {
    const a = await analyzeConfig(await parse(TEXT), await options({ 'flowmage.solver.nicProfile': 'ice' }));
    const nat = natOf(a, 'inside');
    assert.strictEqual(nat.info?.features?.bidirectional, true);
    assert.deepStrictEqual(nat.flowKey, ['src_ip', 'dst_ip', 'src_port', 'dst_port']);
    assert.strictEqual(nat.threading?.model, 'per-thread');
    assert.deepStrictEqual(a.chains.map((c) => c.chain.input.id).sort(), ['inside', 'outside']);
  });

  it('today (driver default, plain Toeplitz) a two-way flow is split across cores: flagged on the NAT', async () => {
    const a = await analyzeConfig(await parse(TEXT), await options({ 'flowmage.solver.nicProfile': 'ice' }));
    const f = a.findings.filter((x) => x.code === 'split-two-way');
    assert.strictEqual(f.length, 1, a.findings.map((x) => `${x.code}: ${x.message}`).join('\n'));
    assert.strictEqual(TEXT.slice(f[0].range.startOffset, f[0].range.endOffset), 'nat');
    assert.strictEqual(f[0].severity, 'error');
    assert.match(f[0].message, /fed by inside and outside/);
    assert.match(f[0].message, /per-core state misses the other direction/);
    assert.deepStrictEqual(f[0].related.map((r) => TEXT.slice(r.range.startOffset, r.range.endOffset)).sort(), ['inside', 'outside']);
    assert.strictEqual(f[0].fixedByPlan, true);
  });

  it('one device carrying both directions into per-thread two-way state is flagged too; not once the rules are symmetric', async () => {
    const one = 'inside :: FromDPDKDevice(0, N_QUEUES 4) -> nat :: TwoWayNAT -> Discard;\n';
    const a = await analyzeConfig(await parse(one), await options({ 'flowmage.solver.nicProfile': 'i40e' }));
    const f = a.findings.filter((x) => x.code === 'split-two-way');
    assert.strictEqual(f.length, 1, a.findings.map((x) => `${x.code}: ${x.message}`).join('\n'));
    assert.match(f[0].message, /looked up with sources and destinations swapped; fed by inside/);
    // Not also reported as a key problem: the 4-tuple lies inside its key.
    assert.deepStrictEqual(
      a.findings.filter((x) => x.code === 'unsafe-shared-nothing'),
      [],
    );
    assert.strictEqual(a.chains[0].elements[0].safeSharedNothingNow, false);
    const files = new Map(a.fileChanges.map((x) => [x.path, x.content]));
    const after = await analyzeConfig(await parse(applyEdits(one, a.edits)), await options({ 'flowmage.solver.nicProfile': 'i40e' }, files));
    assert.deepStrictEqual(
      after.findings.filter((x) => x.code === 'split-two-way'),
      [],
    );
    assert.strictEqual(after.chains[0].elements[0].safeSharedNothingNow, true);
  });

  it('devices whose plans hash differently leave the NAT unfixed, and the rewrite says why', async () => {
    // The inside chain also holds a per-thread counter keyed by the address pair: its plan hashes
    // the pair, the outside chain's the 4-tuple; a request and its reply would still part.
    const text = TEXT.replace('inside -> [0]nat;', 'inside -> pairs :: PairCounter -> [0]nat;');
    const a = await analyzeConfig(await parse(text), await options({ 'flowmage.solver.nicProfile': 'ice' }));
    const plans = Object.fromEntries(a.chains.map((c) => [c.chain.input.id, c.plan.rss.join(' ')]));
    assert.deepStrictEqual(plans, { inside: 'src_ip dst_ip', outside: 'src_ip dst_ip src_port dst_port' });
    assert.ok(
      a.editNotes.some((n) => /^nat \(TwoWayNAT\) sees both directions .* the devices feeding it hash differently/.test(n)),
      a.editNotes.join('\n'),
    );
    const f = a.findings.find((x) => x.code === 'split-two-way')!;
    assert.strictEqual(f.fixedByPlan, false);
  });

  it('with symmetric hashing (E810: func symmetric_toeplitz) it is shared-nothing, and both rules files say so', async () => {
    const a = await analyzeConfig(await parse(TEXT), await options({ 'flowmage.solver.nicProfile': 'ice' }));
    for (const c of a.chains) {
      assert.deepStrictEqual(c.plan.symmetric, { how: 'function', func: 'symmetric_toeplitz' });
      assert.deepStrictEqual(c.plan.rss, ['src_ip', 'dst_ip', 'src_port', 'dst_port']);
      const nat = c.plan.elements.find((e) => e.name === 'nat')!;
      assert.strictEqual(nat.shared, false);
      assert.match(nat.reason, /hashed symmetrically \(func symmetric_toeplitz\): both directions/);
      // Plain hashing would send replies to another thread's table, which per-thread state cannot
      // survive: every candidate left is symmetric.
      assert.ok(c.plan.alternatives.length > 0);
      assert.ok(
        c.plan.alternatives.every((x) => x.symmetric && x.sharedNothing.includes('nat')),
        JSON.stringify(c.plan.alternatives.map((x) => x.rss)),
      );
    }
    assert.strictEqual(a.fileChanges.length, 2);
    for (const f of a.fileChanges) {
      assert.match(f.path, /nat-two-devices\.(inside|outside)\.rules$/);
      assert.strictEqual(
        f.content,
        [
          'ingress priority 0 pattern eth / ipv4 / tcp / end actions rss func symmetric_toeplitz types ipv4-tcp end queues 0 1 2 3 end / end',
          'ingress priority 0 pattern eth / ipv4 / udp / end actions rss func symmetric_toeplitz types ipv4-udp end queues 0 1 2 3 end / end',
          'ingress priority 1 pattern eth / ipv4 / end actions rss func symmetric_toeplitz types ipv4 end queues 0 1 2 3 end / end',
          '',
        ].join('\n'),
      );
    }
    const out = applyEdits(TEXT, a.edits);
    assert.match(out, /inside :: FromDPDKDevice\(0, N_QUEUES \$queues, MAXTHREADS \$queues, BURST 32, MODE flow, FLOW_RULES_FILE "nat-two-devices\.inside\.rules"\)/);
    assert.match(out, /outside :: FromDPDKDevice\(1, .*FLOW_RULES_FILE "nat-two-devices\.outside\.rules"\)/);

    // Once applied, nothing is split and a second rewrite changes nothing.
    const files = new Map(a.fileChanges.map((f) => [f.path, f.content]));
    const again = await analyzeConfig(await parse(out), await options({ 'flowmage.solver.nicProfile': 'ice' }, files));
    assert.deepStrictEqual(
      again.findings.filter((x) => x.code === 'split-two-way'),
      [],
    );
    assert.deepStrictEqual(again.edits, []);
    assert.deepStrictEqual(again.fileChanges, []);
    assert.ok(again.chains.every((c) => c.current.symmetric === true));
  });

  it('each NIC gets the symmetric form it takes: mlx5 the function it applies as its sort variant, ixgbe the 0x6d5a key', async () => {
    const mlx5 = await analyzeConfig(await parse(TEXT), await options({ 'flowmage.solver.nicProfile': 'mlx5' }));
    assert.deepStrictEqual(mlx5.chains[0].plan.symmetric, { how: 'function', func: 'symmetric_toeplitz_sort' });
    // testpmd's parser (dpdk-testpmd here) takes `symmetric_toeplitz`, which mlx5 applies as sort.
    assert.match(mlx5.fileChanges[0].content, /actions rss func symmetric_toeplitz types ipv4-tcp end/);
    assert.ok(mlx5.chains[0].deploy.notes.some((n) => /which the driver applies as symmetric_toeplitz_sort/.test(n)));
    const ixgbe = await analyzeConfig(await parse(TEXT), await options({ 'flowmage.solver.nicProfile': 'ixgbe' }));
    assert.deepStrictEqual(ixgbe.chains[0].plan.symmetric, { how: 'key' });
    assert.match(ixgbe.fileChanges[0].content, new RegExp(`actions rss key ${'6d5a'.repeat(20)} key_len 40 types ipv4-tcp end`));
    assert.strictEqual(natOf(ixgbe, 'outside').planShared, false);
  });

  it('without any symmetric option (a NIC with a fixed key and no symmetric function) it cannot be shared-nothing', async () => {
    const a = await analyzeConfig(
      await parse(TEXT),
      await options({
        'flowmage.solver.nicProfile': 'custom',
        'flowmage.solver.customNicProfile': { id: 'fixed-key', l3SrcOnly: true, l3DstOnly: true, l4SrcOnly: true, l4DstOnly: true, keyConfigurable: false },
      }),
    );
    for (const c of a.chains) {
      assert.strictEqual(c.plan.symmetric, undefined);
      assert.strictEqual(c.plan.elements.find((e) => e.name === 'nat')!.shared, true);
      assert.ok(
        c.plan.notes.some((n) => /nat see\(s\) both directions .* no symmetric|neither the NIC profile nor the deploy target offers symmetric hashing/.test(n)),
        c.plan.notes.join('\n'),
      );
    }
    assert.ok(a.fileChanges.every((f) => !/symmetric|key 6d5a/.test(f.content)));
    const f = a.findings.find((x) => x.code === 'split-two-way')!;
    assert.strictEqual(f.fixedByPlan, false);
  });

  it('the fork\'s HASHFUNC cannot say "symmetric": no symmetric plan, a hint with the 0x6d5a key instead', async () => {
    const a = await analyzeConfig(await parse(TEXT), await options({ 'flowmage.solver.nicProfile': 'ice', 'flowmage.rewrite.target': 'flowmage-fork' }));
    for (const c of a.chains) {
      assert.strictEqual(c.plan.symmetric, undefined);
      assert.match(c.deploy.symmetricHint ?? '', /HASHFUNC names fields only.*6d:5a:6d:5a/);
    }
    const hints = a.findings.filter((x) => x.code === 'symmetric-rss');
    assert.strictEqual(hints.length, 2);
    assert.ok(!/HASHFUNC "[^"]*symmetric/.test(applyEdits(TEXT, a.edits)));
  });
});
