// The grammar's corpus (server/grammar/test/corpus/*.txt, tree-sitter's format) run with
// web-tree-sitter against the committed tree-sitter-click.wasm. FLOWMAGE_CORPUS_UPDATE=1 rewrites the
// expected trees from the actual ones (review the diff before committing).
import * as assert from 'node:assert';
import { join } from 'node:path';
import { createParser, type RecoveringParser as Parser } from '../../server/src/core/treeSitter';
import { formatSexp, matches, readCorpus, updateCorpusFile } from './corpus';

const ROOT = join(__dirname, '..', '..', '..');
const CORPUS = join(ROOT, 'server', 'grammar', 'test', 'corpus');
const cases = readCorpus(CORPUS);

describe('tree-sitter-click corpus', () => {
  let parser: Parser;
  const actual = new Map<string, Map<string, string>>();

  before(async () => {
    parser = await createParser('click');
  });

  after(() => {
    if (process.env.FLOWMAGE_CORPUS_UPDATE) for (const [file, trees] of actual) updateCorpusFile(file, trees);
    parser?.delete();
  });

  it('has cases for every construct file', () => {
    const files = new Set(cases.map((c) => c.file.split('/').pop()));
    for (const f of ['declarations.txt', 'connections.txt', 'elementclass.txt', 'configs.txt', 'directives.txt', 'errors.txt']) {
      assert.ok(files.has(f), `corpus file ${f}`);
    }
    assert.ok(cases.length >= 40, `only ${cases.length} corpus cases`);
  });

  for (const c of cases) {
    it(`${c.file.split('/').pop()}: ${c.name}`, () => {
      const tree = parser.parse(c.input);
      assert.ok(tree, 'a tree');
      const sexp = tree.rootNode.toString();
      const byFile = actual.get(c.file) ?? new Map<string, string>();
      byFile.set(c.name, sexp);
      actual.set(c.file, byFile);
      try {
        if (c.expectError) assert.ok(tree.rootNode.hasError, 'the tree has an error');
        if (!process.env.FLOWMAGE_CORPUS_UPDATE) {
          assert.ok(matches(c.expected, sexp), `tree differs\nexpected:\n${c.expected}\nactual:\n${formatSexp(sexp)}`);
        }
        // Cases without errors in their expectation must parse cleanly.
        if (!/\b(ERROR|MISSING)\b/.test(c.expected) && !c.expectError && !process.env.FLOWMAGE_CORPUS_UPDATE) assert.ok(!tree.rootNode.hasError, 'no error');
      } finally {
        tree.delete();
      }
    });
  }
});
