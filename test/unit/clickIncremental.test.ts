import * as assert from 'node:assert';
import { ClickDocument, parseClick } from '../../server/src/core/click/clickDocument';
import { LineIndex } from '../../server/src/core/text';
import { fixture, fixtureNames, seeded } from './clickHelpers';

/** Replaces [start, end) of the document's text and returns the new text. */
function edit(doc: ClickDocument, start: number, end: number, text: string): string {
  const lines = new LineIndex(doc.text);
  doc.applyChanges([{ range: { start: lines.position(start), end: lines.position(end) }, text }]);
  return doc.text;
}

describe('ClickDocument (incremental updates)', () => {
  it('gives the same model as a fresh parse after random edits of every fixture', async function () {
    this.timeout(120_000);
    const rnd = seeded(7);
    const pieces = ['a', ' ', '\n', '->', ';', '(', ')', 'x :: Y', ',', '[1]', '"', '/*', '*/', '{', '}', 'Foo(1)', '$v', '#', 'é', '😀', '||', '=>'];
    const files = [...fixtureNames('valid').map((f) => ['valid', f]), ...fixtureNames('broken').map((f) => ['broken', f])];
    const kinds = new Set<string>();
    let edits = 0;
    for (const [dir, name] of files) {
      let text = fixture(dir, name);
      const doc = await ClickDocument.create(text);
      try {
        for (let k = 0; k < 25; k++) {
          const start = Math.floor(rnd() * (text.length + 1));
          const end = Math.min(text.length, start + (rnd() < 0.5 ? Math.floor(rnd() * 5) : 0));
          const piece = rnd() < 0.75 ? pieces[Math.floor(rnd() * pieces.length)] : '';
          const expected = text.slice(0, start) + piece + text.slice(end);
          text = edit(doc, start, end, piece);
          assert.strictEqual(text, expected);
          kinds.add(doc.lastUpdate);
          edits++;
          const fresh = await parseClick(text);
          assert.deepStrictEqual(JSON.parse(JSON.stringify(doc.model)), JSON.parse(JSON.stringify(fresh)), `${name}, edit ${k}: ${JSON.stringify(piece)} at ${start}`);
        }
      } finally {
        doc.dispose();
      }
    }
    assert.ok(edits >= 200);
    // Both the one-statement relink and the whole-file paths were exercised.
    assert.ok(kinds.has('relinked-statement') && (kinds.has('relinked-all') || kinds.has('full')), [...kinds].join(', '));
  });

  it('relinks only the edited statement and moves the others in place', async () => {
    const text = 'a :: Queue(10);\nb :: Queue(20) -> c :: Discard;\nd :: Counter -> Discard;\n';
    const doc = await ClickDocument.create(text);
    try {
      const before = doc.model;
      const [a, b, c, d] = before.elements;
      const at = text.indexOf('10');
      edit(doc, at, at + 2, '1000\n');
      assert.strictEqual(doc.lastUpdate, 'relinked-statement');
      const after = doc.model;
      assert.notStrictEqual(after.elements[0], a, 'the edited statement is new');
      assert.strictEqual(after.elements[1], b, 'later statements keep their objects');
      assert.strictEqual(after.elements[2], c);
      assert.strictEqual(after.elements[3], d);
      assert.strictEqual(after.elements[0].config?.args[0].value, '1000');
      // b moved one line down and two characters right in offsets.
      assert.deepStrictEqual([b.nameRange?.start, b.nameRange?.startOffset], [{ line: 2, character: 0 }, text.indexOf('b ::') + 3]);
      assert.deepStrictEqual(JSON.parse(JSON.stringify(after)), JSON.parse(JSON.stringify(await parseClick(doc.text))));
    } finally {
      doc.dispose();
    }
  });

  it('relinks everything when what other statements see changes', async () => {
    const doc = await ClickDocument.create('a :: Queue;\na -> Discard;\n');
    try {
      edit(doc, 0, 1, 'b');
      assert.strictEqual(doc.lastUpdate, 'relinked-all');
      assert.deepStrictEqual(doc.model.problems.map((p) => p.code), ['undeclared-element']);
    } finally {
      doc.dispose();
    }
  });

  it('keeps the tree in step with non-ASCII edits (UTF-16 offsets)', async () => {
    const doc = await ClickDocument.create('// ü\nm :: Message("ö") -> Discard;\nx :: Idle;\n');
    try {
      edit(doc, 3, 4, '😀é');
      edit(doc, doc.text.indexOf('ö'), doc.text.indexOf('ö') + 1, '日本語 😀');
      const fresh = await ClickDocument.create(doc.text);
      try {
        assert.strictEqual(doc.syntaxTree.rootNode.toString(), fresh.syntaxTree.rootNode.toString());
        assert.deepStrictEqual(JSON.parse(JSON.stringify(doc.model)), JSON.parse(JSON.stringify(fresh.model)));
        const value = doc.model.elements[0].config!.args[0];
        assert.strictEqual(doc.text.slice(value.valueRange.startOffset, value.valueRange.endOffset), '"日本語 😀"');
        assert.deepStrictEqual(value.valueRange.end, { line: 1, character: 13 + 8 });
      } finally {
        fresh.dispose();
      }
    } finally {
      doc.dispose();
    }
  });

  it('applies several changes of one notification in order, and whole-text replacements', async () => {
    const doc = await ClickDocument.create('a :: Idle;\nb :: Idle;\n');
    try {
      doc.applyChanges([
        { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, text: 'x' },
        { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 1 } }, text: 'y -> x;\nz' },
      ]);
      assert.strictEqual(doc.text, 'x :: Idle;\ny -> x;\nz :: Idle;\n');
      assert.deepStrictEqual(doc.model.elements.map((e) => e.name), ['x', 'z']);
      doc.setText('x :: Idle;\nz :: Idle;\n');
      assert.deepStrictEqual(doc.model.problems, []);
      assert.strictEqual(doc.setText(doc.text), doc.model);
      assert.strictEqual(doc.lastUpdate, 'unchanged');
    } finally {
      doc.dispose();
    }
  });
});
