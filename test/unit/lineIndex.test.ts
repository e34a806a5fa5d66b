// LineIndex: offsets to lines and characters (UTF-16, as LSP counts), and the index of an edited text
// derived from the previous one (ClickDocument does this on every change instead of rescanning).
import * as assert from 'node:assert';
import { LineIndex } from '../../server/src/core/text';
import { seeded } from './clickHelpers';

/** Every offset's position and every position's offset, as the index answers them. */
function answers(lines: LineIndex): string {
  const out: string[] = [];
  for (let o = 0; o <= lines.text.length; o++) {
    const p = lines.position(o);
    out.push(`${p.line}:${p.character}>${lines.offset(p)}`);
  }
  return `${lines.lineCount} ${out.join(' ')}`;
}

describe('LineIndex', () => {
  it('counts lines after \\n only, in UTF-16 code units, with no column for a byte-order mark', () => {
    const lines = new LineIndex('\ufeffa😀\r\nb\n');
    assert.strictEqual(lines.lineCount, 3);
    assert.deepStrictEqual(lines.position(1), { line: 0, character: 0 });
    assert.deepStrictEqual(lines.position(4), { line: 0, character: 3 }, 'the surrogate pair counts two');
    assert.deepStrictEqual(lines.position(6), { line: 1, character: 0 });
    assert.strictEqual(lines.offset({ line: 1, character: 9 }), 7, 'clamped to the end of the line');
    assert.deepStrictEqual(lines.positions(lines.range(2, 7)), { start: { line: 0, character: 1 }, end: { line: 1, character: 1 } });
  });

  it('gives the same answers after an edit as an index built from scratch', () => {
    const rnd = seeded(3);
    const pieces = ['', 'a', '\n', '\r\n', 'x\ny\n', '😀', '\ufeff', '\n\n'];
    let text = 'one\ntwo\r\n\nthree 😀\nfour';
    let lines = new LineIndex(text);
    for (let k = 0; k < 300; k++) {
      const start = Math.floor(rnd() * (text.length + 1));
      const oldEnd = Math.min(text.length, start + Math.floor(rnd() * 4));
      const piece = pieces[Math.floor(rnd() * pieces.length)];
      text = text.slice(0, start) + piece + text.slice(oldEnd);
      lines = lines.edited(text, start, oldEnd, start + piece.length);
      assert.strictEqual(answers(lines), answers(new LineIndex(text)), `edit ${k}: ${JSON.stringify(piece)} at ${start}-${oldEnd}`);
    }
  });
});
