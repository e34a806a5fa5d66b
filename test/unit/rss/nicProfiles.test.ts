import * as assert from 'node:assert';
import type { FlowField } from '../../../server/src/core/analysis/features';
import { BUILTIN_NIC_IDS, BUILTIN_NIC_PROFILES, nicFieldSets, parseUserNicProfile, symmetricOptions } from '../../../server/src/core/rss/nicProfiles';
import { allSubsets, candidateFieldSets, NIC_PROFILES } from '../../../server/src/core/solver/candidates';
import { readSettings, SETTINGS_SCHEMA } from '../../../server/src/core/settings';

const names = (sets: FlowField[][]) => sets.map((s) => s.join(' '));
const has = (sets: FlowField[][], s: string) => names(sets).includes(s);

describe('NIC profiles', () => {
  it('every built-in NIC is a value of flowmage.solver.nicProfile and of the solver profiles', () => {
    for (const id of BUILTIN_NIC_IDS) {
      assert.ok((SETTINGS_SCHEMA.properties.solver.properties.nicProfile.enum as readonly string[]).includes(id), id);
      assert.ok((NIC_PROFILES as readonly string[]).includes(id), id);
    }
  });

  it('the old profiles keep their candidates', () => {
    assert.strictEqual(candidateFieldSets('all-subsets').length, 31);
    assert.deepStrictEqual(names(candidateFieldSets('dpdk-common')), [
      'src_ip',
      'dst_ip',
      'src_ip dst_ip',
      'src_ip dst_ip src_port dst_port',
      'src_ip dst_ip src_port dst_port protocol',
    ]);
  });

  it('ixgbe hashes the address pair or the 4-tuple only (no l3/l4-*-only)', () => {
    assert.deepStrictEqual(names(candidateFieldSets('ixgbe')), [
      'src_ip dst_ip',
      'src_ip dst_ip src_port dst_port',
      'src_ip dst_ip protocol',
      'src_ip dst_ip src_port dst_port protocol',
    ]);
  });

  for (const id of ['ice', 'i40e'] as const) {
    it(`${id} hashes one address (l3-src-only/l3-dst-only) and one port, never ports alone`, () => {
      const sets = candidateFieldSets(id);
      assert.strictEqual(sets.length, 24, names(sets).join(' | '));
      for (const s of ['src_ip', 'dst_ip', 'src_ip dst_port', 'dst_ip src_port', 'src_ip dst_ip src_port', 'src_ip protocol']) assert.ok(has(sets, s), s);
      assert.ok(!has(sets, 'src_port'));
      assert.ok(!has(sets, 'src_port dst_port'));
      assert.ok(sets.every((s) => s.includes('src_ip') || s.includes('dst_ip')));
    });
  }

  it('mlx5 also hashes ports alone ("L4 only"), 30 of the 31 subsets: all but the protocol alone', () => {
    const sets = candidateFieldSets('mlx5');
    assert.strictEqual(sets.length, 30);
    assert.ok(has(sets, 'src_port'));
    assert.ok(has(sets, 'src_port dst_port protocol'));
    assert.ok(!has(sets, 'protocol'));
    // Every NIC's sets are among the theoretical profile's.
    const all = new Set(names(allSubsets()));
    for (const id of BUILTIN_NIC_IDS) for (const s of names(candidateFieldSets(id))) assert.ok(all.has(s), `${id}: ${s}`);
  });

  it('RETA sizes, key sizes and symmetric support follow the drivers', () => {
    const table = BUILTIN_NIC_IDS.map((id) => [id, BUILTIN_NIC_PROFILES[id].retaSize, BUILTIN_NIC_PROFILES[id].keySize, BUILTIN_NIC_PROFILES[id].symmetricFunctions.join(',')]);
    assert.deepStrictEqual(table, [
      ['ice', 512, 52, 'symmetric_toeplitz'],
      ['i40e', 512, 52, 'symmetric_toeplitz'],
      ['ixgbe', 128, 40, ''],
      ['mlx5', 512, 40, 'symmetric_toeplitz_sort'],
    ]);
    for (const id of BUILTIN_NIC_IDS) assert.ok(BUILTIN_NIC_PROFILES[id].sources.length >= 4, `${id} cites a source for each fact`);
  });

  it('symmetric hashing needs both of each pair in the field set', () => {
    const ice = BUILTIN_NIC_PROFILES.ice;
    assert.deepStrictEqual(symmetricOptions(ice, ['src_ip', 'dst_ip']), { key: true, functions: ['symmetric_toeplitz'] });
    assert.deepStrictEqual(symmetricOptions(ice, ['src_ip', 'dst_ip', 'src_port', 'dst_port', 'protocol']), { key: true, functions: ['symmetric_toeplitz'] });
    assert.deepStrictEqual(symmetricOptions(ice, ['src_ip']), { key: false, functions: [] });
    assert.deepStrictEqual(symmetricOptions(ice, ['src_ip', 'dst_ip', 'src_port']), { key: false, functions: [] });
    assert.deepStrictEqual(symmetricOptions(BUILTIN_NIC_PROFILES.ixgbe, ['src_ip', 'dst_ip']), { key: true, functions: [] });
  });

  it('a user profile is data: its field sets come from the same capabilities', () => {
    const problems: string[] = [];
    const p = parseUserNicProfile({ id: 'my-nic', l3SrcOnly: true, retaSize: 256, keySize: 40, symmetricFunctions: ['symmetric_toeplitz_sort'] }, problems);
    assert.deepStrictEqual(problems, []);
    assert.ok(p);
    assert.strictEqual(p.retaSize, 256);
    assert.deepStrictEqual(names(nicFieldSets(p.capabilities)), [
      'src_ip',
      'src_ip dst_ip',
      'src_ip src_port dst_port',
      'src_ip dst_ip src_port dst_port',
      'src_ip protocol',
      'src_ip dst_ip protocol',
      'src_ip src_port dst_port protocol',
      'src_ip dst_ip src_port dst_port protocol',
    ]);
  });

  it('a bad user profile is reported, never thrown', () => {
    const problems: string[] = [];
    assert.strictEqual(parseUserNicProfile(null, problems), undefined);
    assert.strictEqual(parseUserNicProfile({ id: '../x' }, problems), undefined);
    const p = parseUserNicProfile({ id: 'n', retaSize: 100, keySize: 3, l3SrcOnly: 'yes', symmetricFunctions: ['xor'] }, problems);
    assert.ok(p);
    assert.strictEqual(p.retaSize, 128);
    assert.strictEqual(p.keySize, 40);
    assert.strictEqual(p.capabilities.l3SrcOnly, false);
    assert.deepStrictEqual(p.symmetricFunctions, []);
    assert.strictEqual(problems.length, 6, problems.join('\n'));
  });

  it('the custom profile takes a user NIC from settings when no field sets are listed', () => {
    const settings = readSettings({ solver: { nicProfile: 'custom', customNicProfile: { id: 'lab', l3SrcOnly: true } } });
    const problems: string[] = [];
    const sets = candidateFieldSets('custom', settings.solver.customFieldSets, problems, settings.solver.customNicProfile);
    assert.deepStrictEqual(problems, []);
    assert.ok(has(sets, 'src_ip'));
    assert.ok(!has(sets, 'dst_ip'));
    assert.strictEqual(sets.length, 8);
    // Listed field sets still win, as before.
    assert.deepStrictEqual(names(candidateFieldSets('custom', [['dst_ip']], [], { id: 'lab', l3SrcOnly: true })), ['dst_ip']);
    // A broken user NIC falls back like an empty custom list, with the reasons.
    const p2: string[] = [];
    assert.deepStrictEqual(names(candidateFieldSets('custom', [], p2, { id: 42 })), ['src_ip dst_ip src_port dst_port protocol']);
    assert.strictEqual(p2.length, 2, p2.join('\n'));
  });
});
