import * as assert from 'node:assert';
import { parseClick } from '../../server/src/core/click/clickDocument';
import { definitionOf, documentSymbols, referenceAt, referencesOf, semanticTokens, type ClickSymbol } from '../../server/src/core/click/queries';
import { at, fixture, textOf } from './clickHelpers';
import { LineIndex } from '../../server/src/core/text';

const outline = (symbols: ClickSymbol[], depth = 0): string[] =>
  symbols.flatMap((s) => [`${'  '.repeat(depth)}${s.kind} ${s.name} (${s.detail})`, ...outline(s.children, depth + 1)]);

describe('Click editor queries', () => {
  it('finds the declaration and the uses of an element name', async () => {
    const text = 'q :: Queue(10);\nsrc :: InfiniteSource -> q -> Discard;\nq -> Print(x) -> Discard;';
    const m = await parseClick(text);
    const use = referenceAt(m, text.lastIndexOf('q ->') + 1);
    assert.ok(use);
    assert.strictEqual(at(m, definitionOf(m, use)), '1:1-1:2');
    assert.deepStrictEqual(
      referencesOf(m, use, true).map((r) => at(m, r.range)),
      ['1:1-1:2', '2:26-2:27', '3:1-3:2'],
    );
    assert.deepStrictEqual(
      referencesOf(m, use, false).map((r) => at(m, r.range)),
      ['2:26-2:27', '3:1-3:2'],
    );
    assert.strictEqual(referenceAt(m, text.indexOf('Queue') + 2), undefined, 'a built-in class is no reference');
  });

  it('finds element classes defined in the file', async () => {
    const m = await parseClick(fixture('valid', 'compounds.click'));
    const use = m.references.find((r) => r.kind === 'class' && r.name === 'Counted' && !r.isDeclaration && textOf(m, r.range) === 'Counted');
    assert.ok(use);
    const target = definitionOf(m, use);
    assert.strictEqual(textOf(m, target), 'Counted');
    assert.strictEqual(target && new LineIndex(m.text).position(target.startOffset).line, 3);
    // `elementclass Forwarder Counted` and `counted :: Counted("in")` both use it.
    assert.deepStrictEqual(referencesOf(m, use, false).length, 2);
  });

  it('gives an outline of elements, classes with their contents, and defines', async () => {
    const m = await parseClick('define($n 3)\nelementclass C { $a | input -> q :: Queue -> output }\nsrc :: InfiniteSource -> c :: C(1) -> { -> Print(x) -> } -> Discard;');
    assert.deepStrictEqual(outline(documentSymbols(m)), [
      'define $n (3)',
      'class C (elementclass)',
      '  element q (Queue)',
      'element src (InfiniteSource)',
      'element c (C)',
      'element @3 ({ ... })',
      '  element Print@1 (Print)',
      'element Discard@4 (Discard)',
    ]);
    const src = documentSymbols(m).find((s) => s.name === 'src');
    assert.strictEqual(textOf(m, src?.selectionRange), 'src');
  });

  it('colours what a regex cannot know, in the TextMate families', async () => {
    const text = 'define($p 0)\nelementclass C { RATE $r | input -> output }\nA :: Idle; x :: C(RATE $p) -> A -> Discard';
    const m = await parseClick(text);
    const tokens = semanticTokens(m).map((t) => {
      return `${text.slice(t.offset, t.offset + t.length)}:${t.type}${t.modifiers.length ? '.' + t.modifiers.join('.') : ''}`;
    });
    assert.deepStrictEqual(tokens, [
      '$p:variable.declaration.readonly',
      'C:class.declaration',
      'RATE:parameter',
      '$r:parameter.declaration',
      'A:variable.declaration',
      'Idle:class',
      'x:variable.declaration',
      'C:class',
      'RATE:parameter',
      '$p:variable.readonly',
      'A:variable',
      'Discard:class',
    ]);
  });

  it('lists folding ranges for multi-line constructs only', async () => {
    const m = await parseClick('/* a\n b */\nelementclass C {\n input -> output\n}\nx :: Classifier(\n 12/0800,\n -)\ny :: Idle(1, 2)');
    assert.deepStrictEqual(
      m.foldingRanges.map((f) => `${f.kind} ${at(m, f.range)}`),
      ['comment 1:1-2:6', 'compound 3:16-5:2', 'config 6:16-8:4'],
    );
  });
});
