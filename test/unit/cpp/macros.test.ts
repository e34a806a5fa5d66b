import * as assert from 'node:assert';
import { blankClickMacros, splitArgs, stringLiteralValue } from '../../../server/src/core/cpp/macros';

describe('blanking Click macros', () => {
  const src = [
    '#include <click/config.h>',
    'CLICK_DECLS',
    'class A : public Element { public:',
    '    A() CLICK_COLD;',
    '    FLOW_ELEMENT_DEFINE_SESSION_CONTEXT("12/0/ffffffff:HASH-3 (x)", FLOW_TCP);',
    '    struct S { int a; } CLICK_CACHE_ALIGN;',
    '};',
    '#define FLOW_ELEMENT_DEFINE_SESSION_CONTEXT(rule, ctx) foo(rule)',
    'CLICK_ENDDECLS',
    'EXPORT_ELEMENT(A)',
    'ELEMENT_REQUIRES(userlevel dpdk)',
    'ELEMENT_MT_SAFE(A)',
  ].join('\n');

  it('keeps every offset and line, replacing macros by spaces', () => {
    const { text } = blankClickMacros(src);
    assert.strictEqual(text.length, src.length);
    assert.deepStrictEqual(
      text.split('\n').map((l) => l.length),
      src.split('\n').map((l) => l.length),
    );
    for (const m of ['CLICK_DECLS', 'CLICK_COLD', 'CLICK_CACHE_ALIGN', 'CLICK_ENDDECLS', 'EXPORT_ELEMENT', 'ELEMENT_REQUIRES', 'ELEMENT_MT_SAFE']) assert.ok(!text.includes(m), m);
    assert.ok(text.includes('class A : public Element'));
  });

  it('records flow-context macros with their arguments (parentheses inside strings included)', () => {
    const { flowMacros, text } = blankClickMacros(src);
    assert.strictEqual(flowMacros.length, 1);
    assert.strictEqual(flowMacros[0].macro, 'FLOW_ELEMENT_DEFINE_SESSION_CONTEXT');
    assert.deepStrictEqual(flowMacros[0].args, ['"12/0/ffffffff:HASH-3 (x)"', 'FLOW_TCP']);
    assert.strictEqual(src.slice(flowMacros[0].start, flowMacros[0].end).endsWith('FLOW_TCP)'), true);
    assert.ok(text.includes('#define FLOW_ELEMENT_DEFINE_SESSION_CONTEXT(rule, ctx)'), 'the #define itself is left alone');
  });

  it('leaves text without macros untouched', () => {
    const plain = 'int f() { return 1; }\n';
    assert.strictEqual(blankClickMacros(plain).text, plain);
  });

  it('splits arguments and reads string literals', () => {
    assert.deepStrictEqual(splitArgs(' a, f(b, c), "x,y" '), ['a', 'f(b, c)', '"x,y"']);
    assert.strictEqual(stringLiteralValue('"ab" "cd"'), 'abcd');
    assert.strictEqual(stringLiteralValue('TCP_SESSION'), undefined);
  });
});
