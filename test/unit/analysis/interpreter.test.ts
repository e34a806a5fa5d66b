// Small elements written inline, one per rule of the analysis, each in a fresh tree that also
// holds the fixture bases (test/fixtures/elements/include).
import * as assert from 'node:assert';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeElement } from '../../../server/src/core/analysis/analyzeElement';
import type { ElementFeatures } from '../../../server/src/core/analysis/features';
import { ElementIndex } from '../../../server/src/core/cpp/elementIndex';
import { FIXTURES } from '../cpp/fixtureIndex';

async function analyze(members: string, body: string, extra = ''): Promise<ElementFeatures> {
  const dir = mkdtempSync(join(tmpdir(), 'flowmage-rule-'));
  try {
    cpSync(join(FIXTURES, 'include'), join(dir, 'include'), { recursive: true });
    writeFileSync(
      join(dir, 'probe.hh'),
      `#include <click/batchelement.hh>\n${extra}\nclass Probe : public BatchElement { public:\n    const char *class_name() const override { return "Probe"; }\n    Packet *simple_action(Packet *p) override {\n${body}\n        return p;\n    }\n    int configure(Vector<String> &conf, ErrorHandler *errh) override;\n  private:\n${members}\n};\n`,
    );
    const index = await ElementIndex.create();
    await index.build([dir]);
    return analyzeElement(index, index.element('Probe')!).features;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const brief = (f: ElementFeatures) => ({ stateful: f.stateful, flowKey: f.flowKey, intensity: f.intensity, pointerChasing: f.pointerChasing, unknown: f.unknown });

describe('rules of the static analysis', () => {
  it('follows a local variable to its last value, not every value it ever had', async () => {
    const f = await analyze(
      'HashTable<uint32_t, uint64_t> _t;',
      `        uint32_t k = p->ip_header()->ip_src.s_addr;
        k = p->ip_header()->ip_dst.s_addr;
        _t.find_insert(k, 0).value()++;`,
    );
    assert.deepStrictEqual(brief(f), { stateful: true, flowKey: ['dst_ip'], intensity: 'per-packet', pointerChasing: false, unknown: [] });
  });

  it('combines the fields a key is computed from', async () => {
    const f = await analyze('HashMap<uint32_t, uint64_t> _pairs;', '        _pairs[p->ip_header()->ip_src.s_addr ^ p->ip_header()->ip_dst.s_addr]++;');
    assert.deepStrictEqual(f.flowKey, ['src_ip', 'dst_ip']);
  });

  it('builds keys field by field in a struct', async () => {
    const f = await analyze(
      'HashMap<PairKey, uint64_t> _pairs;',
      `        PairKey key;
        key.a = p->ip_header()->ip_dst;
        key.b = p->tcp_header()->th_dport;
        _pairs[key]++;`,
      'struct PairKey { IPAddress a; uint16_t b; };',
    );
    assert.deepStrictEqual(f.flowKey, ['dst_ip', 'dst_port']);
  });

  it('keeps only the fields every piece of per-flow state shares, and says so', async () => {
    const f = await analyze(
      'HashMap<uint32_t, uint64_t> _by_src;\n    HashMap<uint32_t, uint64_t> _by_flow;',
      `        _by_src[p->ip_header()->ip_src.s_addr]++;
        _by_flow[IPFlowID(p)]++;`,
    );
    assert.deepStrictEqual(f.flowKey, ['src_ip']);
    assert.ok(f.evidence.some((e) => /`_by_flow` is also keyed by dst_ip src_port dst_port/.test(e.reason)), f.evidence.map((e) => e.reason).join('\n'));
  });

  it('leaves the key undecided, never guessed, when it comes from code it cannot read', async () => {
    const f = await analyze('HashMap<uint32_t, uint64_t> _t;', '        _t[hash_packet(p)]++;');
    assert.deepStrictEqual(brief(f), { stateful: true, flowKey: [], intensity: 'per-packet', pointerChasing: false, unknown: ['flowKey'] });
    assert.strictEqual(f.confidence, 'low');
    assert.ok(f.evidence.some((e) => e.feature === 'flowKey' && /hash_packet/.test(e.reason)));
  });

  it('treats a table only read while processing packets as configuration, not state', async () => {
    const f = await analyze(
      'HashMap<IPAddress, int> _routes;\n    uint64_t _misses;',
      `        int *port = _routes.findp(p->ip_header()->ip_dst);
        if (!port) { _misses++; p->kill(); return 0; }`,
    );
    assert.deepStrictEqual(brief(f), { stateful: false, flowKey: [], intensity: null, pointerChasing: false, unknown: [] });
    assert.ok(f.evidence.some((e) => /`_routes` is looked up by dst_ip but never written while processing packets/.test(e.reason)));
  });

  it('calls state written only when an entry is created per-flow', async () => {
    const f = await analyze(
      'HashMap<IPFlowID, uint64_t> _first_seen;',
      `        IPFlowID id(p);
        if (!_first_seen.findp(id))
            _first_seen.insert(id, p->timestamp_anno().msecval());`,
    );
    assert.deepStrictEqual(brief(f), { stateful: true, flowKey: ['src_ip', 'dst_ip', 'src_port', 'dst_port'], intensity: 'per-flow', pointerChasing: false, unknown: [] });
  });

  it('sees pointer chasing in pointer-valued maps and in pointer members of entries', async () => {
    const f1 = await analyze('HashMap<IPAddress, Counter *> _t;', '        Counter *c = _t.find(p->ip_header()->ip_src); if (c) c->n++;', 'struct Counter { uint64_t n; };');
    assert.strictEqual(f1.pointerChasing, true);
    assert.ok(f1.evidence.some((e) => e.feature === 'pointerChasing' && /maps keys to pointers/.test(e.reason)));
    const f2 = await analyze('HashMap<IPAddress, Session> _t;', '        Session *s = _t.findp(p->ip_header()->ip_src); if (s) s->n++;', 'struct Peer { int x; };\nstruct Session { uint64_t n; Peer *peer; };');
    assert.strictEqual(f2.pointerChasing, true);
    const f3 = await analyze('HashMap<IPAddress, Flat> _t;', '        Flat *s = _t.findp(p->ip_header()->ip_src); if (s) s->n++;', 'struct Flat { uint64_t n; uint32_t m; };');
    assert.strictEqual(f3.pointerChasing, false);
  });

  it('does not call a write to the packet a write to state', async () => {
    const f = await analyze('IPAddress _addr;', '        WritablePacket *q = p->uniqueify();\n        q->ip_header()->ip_dst = _addr;\n        return q;');
    assert.deepStrictEqual(brief(f), { stateful: false, flowKey: [], intensity: null, pointerChasing: false, unknown: [] });
    assert.deepStrictEqual(f.stateObjects, []);
  });
});
