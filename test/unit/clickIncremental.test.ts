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

  it('relinks only the edited statement and moves the others by copying them', async () => {
    const text = 'x :: Idle;\na :: Queue(10);\nb :: Queue(20) -> c :: Discard;\nd :: Counter -> Discard;\n';
    const doc = await ClickDocument.create(text);
    try {
      const before = doc.model;
      const [x, a, b] = before.elements;
      const at = text.indexOf('10');
      edit(doc, at, at + 2, '1000\n');
      assert.strictEqual(doc.lastUpdate, 'relinked-statement');
      const after = doc.model;
      assert.notStrictEqual(after, before);
      assert.strictEqual(after.elements[0], x, 'statements before the edit are shared');
      assert.notStrictEqual(after.elements[1], a, 'the edited statement is new');
      assert.notStrictEqual(after.elements[2], b, 'statements after the edit are moved copies');
      assert.strictEqual(after.elements[1].config?.args[0].value, '1000');
      // b moved three characters right in offsets, one line down in positions; the old b did not move.
      assert.strictEqual(after.elements[2].nameRange?.startOffset, text.indexOf('b ::') + 3);
      assert.strictEqual(b.nameRange?.startOffset, text.indexOf('b ::'));
      assert.deepStrictEqual(new LineIndex(after.text).position(after.elements[2].nameRange!.startOffset), { line: 3, character: 0 });
      assert.deepStrictEqual(JSON.parse(JSON.stringify(after)), JSON.parse(JSON.stringify(await parseClick(doc.text))));
    } finally {
      doc.dispose();
    }
  });

  it('never changes a model it returned: an older model stays valid for its own text', async () => {
    const text = 'x :: Idle;\na :: Queue(10);\nb :: Queue(20) -> c :: Discard;\nd :: Counter -> b;\n';
    const doc = await ClickDocument.create(text);
    try {
      const old = doc.model;
      const snapshot = JSON.stringify(old);
      const b = old.elements.find((e) => e.name === 'b')!;
      // A new line before b (one statement relinked, the later ones moved), then a rename of b
      // (the whole file linked again), then a broken text (read again from the tree).
      const at = text.indexOf('10');
      edit(doc, at, at + 2, '1000\n');
      assert.strictEqual(doc.lastUpdate, 'relinked-statement');
      edit(doc, doc.text.indexOf('b ::'), doc.text.indexOf('b ::') + 1, 'bb');
      assert.strictEqual(doc.lastUpdate, 'relinked-all');
      edit(doc, 0, 0, ') -> ((');
      assert.strictEqual(JSON.stringify(old), snapshot, 'the first model did not change');
      assert.strictEqual(old.text, text);
      assert.strictEqual(old.text.slice(b.nameRange!.startOffset, b.nameRange!.endOffset), 'b');
      assert.deepStrictEqual(new LineIndex(old.text).position(b.nameRange!.startOffset), { line: 2, character: 0 });
    } finally {
      doc.dispose();
    }
  });

  it('leaves every returned model as it was across random edits of every fixture', async function () {
    this.timeout(120_000);
    const rnd = seeded(11);
    const pieces = ['a', ' ', '\n', '->', ';', '(', ')', 'x :: Y', '[1]', '/*', '*/', '{', '}', '$v', 'é'];
    const files = [...fixtureNames('valid').map((f) => ['valid', f]), ...fixtureNames('broken').map((f) => ['broken', f])];
    const kinds = new Set<string>();
    for (const [dir, name] of files) {
      const doc = await ClickDocument.create(fixture(dir, name));
      try {
        const held: Array<{ model: typeof doc.model; json: string }> = [];
        for (let k = 0; k < 12; k++) {
          held.push({ model: doc.model, json: JSON.stringify(doc.model) });
          const start = Math.floor(rnd() * (doc.text.length + 1));
          const end = Math.min(doc.text.length, start + Math.floor(rnd() * 3));
          edit(doc, start, end, pieces[Math.floor(rnd() * pieces.length)]);
          kinds.add(doc.lastUpdate);
        }
        for (const [k, h] of held.entries()) assert.strictEqual(JSON.stringify(h.model), h.json, `${name}: the model before edit ${k} changed`);
      } finally {
        doc.dispose();
      }
    }
    assert.ok(kinds.has('relinked-statement'), [...kinds].join(', '));
  });

  it('relinks everything when what other statements see changes', async () => {
    const doc = await ClickDocument.create('a :: Queue;\na -> Discard;\n');
    try {
      edit(doc, 0, 1, 'b');
      assert.strictEqual(doc.lastUpdate, 'relinked-all');
      assert.deepStrictEqual(
        doc.model.problems.map((p) => p.code),
        ['undeclared-element'],
      );
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
        assert.deepStrictEqual(new LineIndex(doc.text).position(value.valueRange.endOffset), { line: 1, character: 13 + 8 });
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
      assert.deepStrictEqual(
        doc.model.elements.map((e) => e.name),
        ['x', 'z'],
      );
      doc.setText('x :: Idle;\nz :: Idle;\n');
      assert.deepStrictEqual(doc.model.problems, []);
      assert.strictEqual(doc.setText(doc.text), doc.model);
      assert.strictEqual(doc.lastUpdate, 'unchanged');
    } finally {
      doc.dispose();
    }
  });
});
