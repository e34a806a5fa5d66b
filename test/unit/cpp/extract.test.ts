import * as assert from 'node:assert';
import { forEachExpr } from '../../../server/src/core/cpp/ast';
import { extractCppFile, parseTypeName, splitQualified } from '../../../server/src/core/cpp/extract';
import { createParser, type RecoveringParser as Parser } from '../../../server/src/core/treeSitter';

describe('extracting a C++ file', () => {
  let parser: Parser;
  before(async () => {
    parser = await createParser('cpp');
  });

  const header = `#include <click/element.hh>
CLICK_DECLS
#define MY_RULE "12/0/ffffffff"
typedef HashMap<IPFlowID, int> FlowMap;

/*
=c
Thing([N])
=s test
a thing
*/
template <typename T, typename C = DefaultChecker> class Base : public BatchElement { public:
    virtual void push_flow(int port, T *state, PacketBatch *batch) = 0;
  protected:
    T *_states;
};

class Thing : public Base<ThingState>, public Helper { public:
    Thing() CLICK_COLD;
    const char *class_name() const override { return "Thing"; }
    FLOW_ELEMENT_DEFINE_SESSION_CONTEXT(MY_RULE, FLOW_TCP);
    void push_flow(int port, ThingState *state, PacketBatch *batch) override;
    int configure(Vector<String> &conf, ErrorHandler *errh) override { return conf.size(); }
  private:
    struct Stats { uint64_t n; } ;
    per_thread<Stats> _stats;
    int _a, *_b;
#if HAVE_X
    HashMap<IPAddress, Entry *> _map;
#endif
};
CLICK_ENDDECLS
EXPORT_ELEMENT(Thing)
`;

  it('finds classes, bases with template arguments, fields, methods and class_name()', () => {
    const m = extractCppFile(parser, '/x/thing.hh', header);
    const base = m.classes.find((c) => c.name === 'Base')!;
    assert.deepStrictEqual(base.templateParams, [
      { name: 'T', default: undefined },
      { name: 'C', default: 'DefaultChecker' },
    ]);
    assert.deepStrictEqual(
      base.methodDecls.map((d) => [d.name, d.params.map((p) => `${p.type} ${p.name}`)]),
      [['push_flow', ['int port', 'T* state', 'PacketBatch* batch']]],
    );
    const thing = m.classes.find((c) => c.name === 'Thing')!;
    assert.strictEqual(thing.clickName, 'Thing');
    assert.deepStrictEqual(
      thing.bases.map((b) => [b.name, b.args]),
      [
        ['Base', ['ThingState']],
        ['Helper', []],
      ],
    );
    assert.deepStrictEqual(
      thing.fields.map((f) => [f.name, f.type, f.pointer]),
      [
        ['_stats', 'per_thread<Stats>', false],
        ['_a', 'int', false],
        ['_b', 'int*', true],
        ['_map', 'HashMap<IPAddress,Entry*>', false],
      ],
    );
    assert.ok(thing.nested.includes('Thing::Stats'));
    assert.deepStrictEqual(
      thing.flowMacros.map((f) => f.args),
      [['MY_RULE', 'FLOW_TCP']],
    );
    assert.strictEqual(thing.methods.find((x) => x.name === 'configure')!.body, undefined, 'configure bodies are not converted');
    assert.deepStrictEqual(m.exports, ['Thing']);
    assert.deepStrictEqual({ ...m.defines }, { MY_RULE: '12/0/ffffffff' });
    assert.deepStrictEqual({ ...m.typedefs }, { FlowMap: 'HashMap<IPFlowID,int>' });
    assert.deepStrictEqual(
      m.docs.map((d) => d.name),
      ['Thing'],
    );
    assert.strictEqual(header.slice(thing.nameStart, thing.nameEnd), 'Thing');
  });

  it('converts out-of-class bodies, packet loops and flow-ID declarations', () => {
    const cc = `void Thing::push_flow(int port, ThingState *state, PacketBatch *batch)
{
    FOR_EACH_PACKET_SAFE(batch, p) {
        IPFlowID id(p);
        state->count += p->length();
    }
    auto fnt = [this](Packet *q) -> bool { return _map.find(q->ip_header()->ip_dst) != 0; };
}
template <typename T> void Base<T>::helper() { }
static inline uint32_t mix(uint32_t a) { return a * 31; }
`;
    const m = extractCppFile(parser, '/x/thing.cc', cc);
    assert.deepStrictEqual(
      m.functions.map((f) => [f.owner, f.name]),
      [
        ['Thing', 'push_flow'],
        ['Base', 'helper'],
        [undefined, 'mix'],
      ],
    );
    const push = m.functions[0];
    const kinds: string[] = [];
    forEachExpr(push.body!, (e) => {
      if (e.kind === 'member') kinds.push(e.field);
    });
    assert.ok(kinds.includes('count') && kinds.includes('ip_dst'), kinds.join(' '));
    const loop = push.body!.kind === 'block' ? push.body!.body[0] : undefined;
    assert.strictEqual(loop?.kind, 'branch');
    assert.deepStrictEqual(loop?.kind === 'branch' ? loop.vars.map((v) => [v.name, v.type]) : [], [['p', 'Packet*']]);
  });

  it('survives code tree-sitter cannot fully parse', () => {
    const m = extractCppFile(parser, '/x/bad.hh', 'void f() { if ( x ) { g(; } }\nclass Ok : public Element { int y; };\n');
    assert.ok(
      m.classes.some((c) => c.name === 'Ok'),
      'a class after a garbled body is still found',
    );
    assert.doesNotThrow(() => extractCppFile(parser, '/x/bad2.hh', 'class Broken : public { int x; void f() { if ( } };\n}}}} class Ok { int y; };'));
    assert.doesNotThrow(() => extractCppFile(parser, '/x/empty.hh', ''));
    assert.doesNotThrow(() => extractCppFile(parser, '/x/binary.hh', '\u0000\u0001\u0002{{{(((<<<'));
  });

  it('splits qualified names and template types', () => {
    assert.deepStrictEqual(splitQualified('A::B<C::D>::f'), ['A', 'B<C::D>', 'f']);
    assert.deepStrictEqual(parseTypeName('click::FlowStateElement<FlowCounter,int>'), { name: 'FlowStateElement', args: ['FlowCounter', 'int'] });
    assert.deepStrictEqual(parseTypeName('per_thread<IStateTable<State> >'), { name: 'per_thread', args: ['IStateTable<State>'] });
  });
});
