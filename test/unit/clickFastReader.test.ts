// The fast reader (statement text -> syntax) must agree exactly with the tree reader (tree-sitter
// nodes -> syntax) on every statement tree-sitter parses without error.
import * as assert from 'node:assert';
import { createParser, type RecoveringParser as Parser } from '../../server/src/core/treeSitter';
import { readTopLevel } from '../../server/src/core/click/readSyntax';
import { fastReadTopLevel, FastReadError } from '../../server/src/core/click/fastReader';
import { fixture, fixtureNames, seeded } from './clickHelpers';

const plain = (x: unknown) => JSON.parse(JSON.stringify(x));

/** Compares both readers on every error-free top-level statement; returns how many were compared. */
function compareReaders(parser: Parser, text: string, label: string): { compared: number; fellBack: number } {
  const tree = parser.parse(text);
  assert.ok(tree);
  let compared = 0;
  let fellBack = 0;
  try {
    if (tree.rootNode.type === 'ERROR') return { compared, fellBack };
    for (const node of tree.rootNode.children) {
      if (!node || node.hasError || ['ERROR', 'comment', 'line_directive'].includes(node.type)) continue;
      const slow = readTopLevel(node, text);
      let fast;
      try {
        fast = fastReadTopLevel(text, node.startIndex, node.endIndex, node.type);
      } catch (err) {
        if (!(err instanceof FastReadError)) throw err;
        fellBack++;
        continue;
      }
      compared++;
      assert.deepStrictEqual(plain(fast), plain(slow), `${label}: statement at ${node.startPosition.row + 1}:${node.startPosition.column + 1}`);
    }
  } finally {
    tree.delete();
  }
  return { compared, fellBack };
}

describe('fast statement reader', () => {
  let parser: Parser;
  before(async () => {
    parser = await createParser('click');
  });
  after(() => parser.delete());

  it('agrees with the tree reader on every fixture statement', () => {
    let total = 0;
    for (const name of fixtureNames('valid')) {
      const r = compareReaders(parser, fixture('valid', name), name);
      assert.strictEqual(r.fellBack, 0, `${name}: the fast reader gave up on a valid statement`);
      total += r.compared;
    }
    assert.ok(total >= 40, `compared ${total} statements`);
  });

  it('agrees with the tree reader on mutated fixtures (or gives up, never disagrees)', function () {
    this.timeout(60_000);
    const rnd = seeded(11);
    const pieces = ['(', ')', '{', '}', '[', ']', ',', ';', '->', '=>', '::', '|', '||', '...', '$a', 'KW ', '"', "'", '/*x*/', '//c\n', '\n#1\n', ' # ', '\\<0a>', 'x', ' '];
    let compared = 0;
    for (const name of fixtureNames('valid')) {
      const base = fixture('valid', name);
      for (let k = 0; k < 60; k++) {
        const at = Math.floor(rnd() * base.length);
        const text = base.slice(0, at) + pieces[Math.floor(rnd() * pieces.length)] + base.slice(at + Math.floor(rnd() * 3));
        compared += compareReaders(parser, text, `${name} mutation ${k}`).compared;
      }
    }
    assert.ok(compared > 1000, `compared ${compared} statements`);
  });

  it('leaves statements nested deeper than Click allows to the tree reader', () => {
    const text = 'a :: Idle; a -> ' + '('.repeat(60) + ')'.repeat(60) + ' -> a';
    const r = compareReaders(parser, text, 'deep');
    assert.strictEqual(r.fellBack, 1);
  });
});
