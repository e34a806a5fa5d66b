// Every .click file of upstream FastClick must parse without syntax errors (files are read, never
// copied). The tree is FASTCLICK_DIR when set, else the archive extracted into .cache/ (see
// test/support/fastclickSource.ts).
import * as assert from 'node:assert';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseClick } from '../../server/src/core/click/clickDocument';
import { clickFiles } from './clickHelpers';
import { fastclickSourceDir } from '../support/fastclickSource';
import { LineIndex } from '../../server/src/core/text';

const SYNTAX_CODES = new Set(['syntax', 'unterminated-comment', 'unterminated-string', 'too-deep']);

/** m4 templates (conf/grid/grid.click) are not Click until m4 has run; Click's own lexer fails on them too. */
function isM4Template(text: string): boolean {
  return /^\s*,?\s*dnl\b/m.test(text) || /\bifdef\(`/.test(text);
}

describe('FastClick configurations (upstream source)', function () {
  let dir: string;
  before(function () {
    this.timeout(120_000);
    dir = fastclickSourceDir();
  });

  it('parses every .click file without syntax errors', async function () {
    this.timeout(300_000);
    const files = clickFiles(dir);
    assert.ok(files.length > 0, `no .click files under ${dir}`);
    const failures: string[] = [];
    const templates: string[] = [];
    let elements = 0;
    let semantic = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const model = await parseClick(text);
      elements += model.elements.length;
      const syntax = model.problems.filter((p) => SYNTAX_CODES.has(p.code));
      semantic += model.problems.length - syntax.length;
      if (!syntax.length) continue;
      if (isM4Template(text)) templates.push(relative(dir, file));
      else failures.push(`${relative(dir, file)}:${new LineIndex(text).position(syntax[0].range.startOffset).line + 1}: ${syntax[0].message}`);
    }
    console.log(
      `      ${files.length} files, ${elements} elements, ${failures.length} with syntax errors, ${templates.length} m4 templates skipped (${templates.join(', ')}), ${semantic} other problems`,
    );
    assert.deepStrictEqual(failures, []);
  });
});
