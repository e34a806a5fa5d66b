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
    assert.ok(
      f.evidence.some((e) => /`_by_flow` is also keyed by dst_ip src_port dst_port/.test(e.reason)),
      f.evidence.map((e) => e.reason).join('\n'),
    );
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
    const f2 = await analyze(
      'HashMap<IPAddress, Session> _t;',
      '        Session *s = _t.findp(p->ip_header()->ip_src); if (s) s->n++;',
      'struct Peer { int x; };\nstruct Session { uint64_t n; Peer *peer; };',
    );
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

// Rules read from upstream code patterns (issue 10); each fixture is written in FastClick's style.
describe('rules for chained tables, mirrored lookups and configured items', () => {
  it('takes the union, not the intersection, of a lookup by source fields and one by the mirrored destination fields', async () => {
    const f = await analyze(
      'HashMap<IPFlowID, int> _map;',
      `        const click_ip *iph = p->ip_header();
        int *v = _map.findp(IPFlowID(iph->ip_src, 0, IPAddress(), 0));
        if (!v)
            v = _map.findp(IPFlowID(IPAddress(), 0, iph->ip_dst, 0));
        if (!v)
            _map.insert(IPFlowID(iph->ip_src, 0, IPAddress(), 0), 1);`,
    );
    assert.deepStrictEqual(f.flowKey, ['src_ip', 'dst_ip']);
    assert.ok(f.evidence.some((e) => e.feature === 'flowKey' && /swapped/.test(e.reason)));
  });

  it('adds the fields a bucket chain is compared with when the comparison repeats the fields that chose the bucket', async () => {
    const f = await analyze(
      `Conn *_hash[256];
    void touch(Conn *c) { c->bytes++; }`,
      `        const click_ip *iph = p->ip_header();
        const click_tcp *th = p->tcp_header();
        Conn *c = _hash[(iph->ip_dst.s_addr ^ th->th_dport) % 256];
        while (c && !(c->addr == iph->ip_dst.s_addr && c->port == th->th_dport && c->peer == th->th_sport))
            c = c->next;
        if (c)
            touch(c);`,
      'struct Conn { uint32_t addr; uint16_t port; uint16_t peer; uint64_t bytes; Conn *next; };',
    );
    assert.deepStrictEqual(f.flowKey, ['dst_ip', 'src_port', 'dst_port']);
  });

  it('reads both ports from the transport header reached by pointer arithmetic, and keys by a sub-entry found and written', async () => {
    const f = await analyze(
      'HashMap<uint64_t, HostInfo> _hosts;',
      `        const click_ip *iph = p->ip_header();
        HostInfo *h = &_hosts[((uint64_t) iph->ip_src.s_addr << 32) | iph->ip_dst.s_addr];
        const uint8_t *l4 = reinterpret_cast<const uint8_t *>(iph) + (iph->ip_hl << 2);
        uint32_t ports = *reinterpret_cast<const uint32_t *>(l4);
        for (PortFlow *pf = h->flows; pf; pf = pf->next)
            if (pf->ports == ports) {
                pf->packets++;
                break;
            }`,
      'struct PortFlow { uint32_t ports; uint64_t packets; PortFlow *next; };\nstruct HostInfo { PortFlow *flows; };',
    );
    assert.deepStrictEqual(f.flowKey, ['src_ip', 'dst_ip', 'src_port', 'dst_port']);
  });

  it('keys a chain of held packets by the header fields compared with the current packet', async () => {
    const f = await analyze(
      'WritablePacket *_queues[64];',
      `        const click_ip *iph = p->ip_header();
        WritablePacket **pprev = &_queues[iph->ip_id % 64];
        WritablePacket *q;
        for (q = *pprev; q; pprev = (WritablePacket **) &q->next(), q = *pprev) {
            const click_ip *qiph = q->ip_header();
            if (qiph->ip_id == iph->ip_id && qiph->ip_p == iph->ip_p && qiph->ip_src.s_addr == iph->ip_src.s_addr && qiph->ip_dst.s_addr == iph->ip_dst.s_addr)
                break;
        }
        if (!q)
            *pprev = p->clone();`,
    );
    assert.deepStrictEqual(f.flowKey, ['src_ip', 'dst_ip', 'protocol']);
    assert.deepStrictEqual(f.otherKeyFields, ['ip_id']);
  });

  it('does not call a table state when packets only move its entries to the front', async () => {
    const f = await analyze(
      'Group *_groups[256];',
      `        uint32_t a = AGGREGATE_ANNO(p);
        Group *g = _groups[a % 256], *prev = 0;
        while (g && g->id != a) {
            prev = g;
            g = g->next;
        }
        if (prev && g) {
            prev->next = g->next;
            g->next = _groups[a % 256];
            _groups[a % 256] = g;
        }`,
      'struct Group { uint32_t id; int out; Group *next; };',
    );
    assert.strictEqual(f.stateful, false);
  });

  it('treats counters indexed by a hash reduced to the size of a configured list as per item, not per flow', async () => {
    const f = await analyze(
      `Vector<IPAddress> _servers;
    Vector<Load> _loads;
    int pick(Packet *q, int n) { return (q->ip_header()->ip_src.s_addr ^ q->ip_header()->ip_dst.s_addr) % n; }`,
      `        int b = pick(p, _servers.size());
        _loads[b].packets++;`,
      'struct Load { uint64_t packets; };',
    );
    assert.strictEqual(f.stateful, false);
    const own = await analyze('Vector<Load> _table;', '        _table[p->ip_header()->ip_src.s_addr % _table.size()].packets++;', 'struct Load { uint64_t packets; };');
    assert.deepStrictEqual([own.stateful, own.flowKey], [true, ['src_ip']]);
  });

  it('follows a method of the element handed by name to a per-packet macro', async () => {
    const f = await analyze(
      `HashMap<uint32_t, uint64_t> _counts;
    void count(Packet *q) { _counts[q->ip_header()->ip_src.s_addr]++; }`,
      '        RUN_FOR_EACH_PACKET(count, p);',
    );
    assert.deepStrictEqual([f.stateful, f.flowKey], [true, ['src_ip']]);
  });

  it('keys a trie walked byte by byte by the whole address', async () => {
    const f = await analyze(
      'Node *_root;',
      `        uint32_t a = ntohl(p->ip_header()->ip_src.s_addr);
        Node *n = _root;
        for (int shift = 24; shift >= 0; shift -= 8) {
            unsigned char b = (a >> shift) & 255;
            if (!n->child[b])
                n->child[b] = new Node();
            n = n->child[b];
            n->count++;
        }`,
      'struct Node { Node *child[256]; uint64_t count; };',
    );
    assert.deepStrictEqual([f.stateful, f.flowKey], [true, ['src_ip']]);
  });

  it('records which input port creates the state and which looks it up with swapped fields', async () => {
    const f = await analyze(
      `HashMap<IPFlowID, int> _conns;
    void push(int port, Packet *q) override {
        if (port == 0)
            _conns.find_insert(IPFlowID(q), 0);
        else {
            int *c = _conns.findp(IPFlowID(q).reverse());
            if (c)
                (*c)++;
        }
        output(port).push(q);
    }`,
      '',
    );
    assert.strictEqual(f.bidirectional, true);
    assert.deepStrictEqual(f.directionPorts, { '0': 'forward', '1': 'reverse' });
    assert.ok(f.evidence.some((e) => e.feature === 'direction' && /input 1/.test(e.reason)));
  });

  it('follows the direction through a flag set from the port, and joins per-address lookups of both sides', async () => {
    const f = await analyze(
      `HashMap<uint32_t, uint64_t> _rates;
    void note(Packet *q, bool forward) {
        if (forward)
            _rates[q->ip_header()->ip_src.s_addr]++;
        else
            _rates[q->ip_header()->ip_dst.s_addr]++;
    }
    void push(int port, Packet *q) override {
        note(q, port == 0);
        output(port).push(q);
    }`,
      '',
    );
    assert.deepStrictEqual(f.flowKey, ['src_ip', 'dst_ip']);
    assert.strictEqual(f.bidirectional, true);
    assert.deepStrictEqual(f.directionPorts, { '0': 'forward', '1': 'reverse' });
  });

  it('sees a lookup reversed when the destination fields are passed where a callee names its parameters as sources', async () => {
    const f = await analyze(
      `HashMap<uint64_t, int> _conns;
    int *find_conn(uint32_t src, uint16_t sport) { return _conns.findp(((uint64_t) src << 16) | sport); }`,
      `        int *c = find_conn(p->ip_header()->ip_dst.s_addr, p->tcp_header()->th_dport);
        if (c)
            (*c)++;`,
    );
    assert.deepStrictEqual([f.flowKey, f.bidirectional], [['dst_ip', 'dst_port'], true]);
  });
});
