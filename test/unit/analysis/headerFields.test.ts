import * as assert from 'node:assert';
import { parseSessionRule } from '../../../server/src/core/analysis/headerFields';

describe('flow session rules', () => {
  it('reads addresses and ports from masked tokens', () => {
    const r = parseSessionRule('12/0/ffffffff:HASH-3 16/0/ffffffff:HASH-3 22/0/ffff 20/0/ffff:ARRAY');
    assert.deepStrictEqual(r.keyed, ['src_ip', 'dst_ip', 'src_port', 'dst_port']);
    assert.deepStrictEqual([r.fixed, r.partial, r.unreadable], [[], [], []]);
  });

  it('reads a 4-byte mask at offset 20 as both ports, and a value match as a fixed field', () => {
    const r = parseSessionRule('9/06! 12/0/ffffffff:HASH-3 16/0/ffffffff:HASH-3 20/0/ffffffff:HASH-3');
    assert.deepStrictEqual(r.keyed, ['src_ip', 'dst_ip', 'src_port', 'dst_port']);
    assert.deepStrictEqual(r.fixed, ['protocol']);
  });

  it('never keys on a field it masks only partly (a prefix)', () => {
    const r = parseSessionRule('12/0/ffffff00 16/0/ffffffff');
    assert.deepStrictEqual(r.keyed, ['dst_ip']);
    assert.deepStrictEqual(r.partial, ['src_ip']);
  });

  it('reports tokens it cannot read', () => {
    assert.deepStrictEqual(parseSessionRule('12/0/ffffffff bogus').unreadable, ['bogus']);
  });
});
