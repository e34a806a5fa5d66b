import * as assert from 'node:assert';
import { scopeOf, tokenize } from './textmateHelper';

const SAMPLE = [
  '// a comment',
  '# 12 "file.click"',
  'define($port 0, $size ${queue-4096})',
  'require(package "fastclick")',
  'elementclass Shaper { RATE $rate, $burst | input -> BandwidthShaper($rate) -> output || ... }',
  'psd :: IPortScanDetector(SIZE 8000000, "a, \\"b\\"") -> [0]policer [1] => Discard;',
  'c :: Classifier(12/0800, -) ~ctx> q :: Queue',
  '/* block */ a, b :: Idle',
  'x[one] -> y',
].join('\n');

describe('TextMate grammar (syntaxes/click.tmLanguage.json)', () => {
  const cases: Array<[string, number, string]> = [
    ['a comment', 1, 'comment.line.double-slash.click'],
    ['//', 1, 'punctuation.definition.comment.click'],
    ['12', 1, 'constant.numeric.line-number.click'],
    ['define', 1, 'keyword.control.define.click'],
    ['$port', 1, 'variable.other.constant.click'],
    ['queue', 1, 'variable.other.constant.click'],
    ['require', 1, 'keyword.control.require.click'],
    ['"fastclick"', 1, 'string.quoted.double.click'],
    ['elementclass', 1, 'keyword.control.elementclass.click'],
    ['Shaper', 1, 'entity.name.type.class.click'],
    ['RATE', 1, 'variable.parameter.keyword.click'],
    ['$rate', 1, 'variable.parameter.click'],
    ['$burst', 1, 'variable.parameter.click'],
    ['input', 1, 'variable.language.click'],
    ['BandwidthShaper', 1, 'entity.name.type.class.click'],
    ['$rate', 2, 'variable.other.constant.click'],
    ['||', 1, 'keyword.operator.overload.click'],
    ['...', 1, 'keyword.operator.extension.click'],
    ['psd', 1, 'variable.other.readwrite.element.declaration.click'],
    ['::', 1, 'keyword.operator.declaration.click'],
    ['IPortScanDetector', 1, 'entity.name.type.class.click'],
    ['SIZE', 1, 'variable.parameter.keyword.click'],
    ['8000000', 1, 'constant.numeric.click'],
    ['\\"', 1, 'constant.character.escape.click'],
    ['->', 1, 'keyword.operator.arrow.click'],
    ['0]', 1, 'constant.numeric.port.click'],
    ['policer', 1, 'variable.other.readwrite.element.click'],
    ['=>', 1, 'keyword.operator.arrow.click'],
    ['Discard', 1, 'entity.name.type.class.click'],
    ['12/0800', 1, 'constant.numeric.click'],
    ['~ctx>', 1, 'keyword.operator.arrow.click'],
    ['Queue', 1, 'entity.name.type.class.click'],
    ['block', 1, 'comment.block.click'],
    ['Idle', 1, 'entity.name.type.class.click'],
    ['one', 1, 'invalid.illegal.port.click'],
  ];
  for (const [word, occurrence, scope] of cases) {
    it(`gives ${JSON.stringify(word)}${occurrence > 1 ? ` (#${occurrence})` : ''} the scope ${scope}`, async () => {
      assert.strictEqual(await scopeOf(SAMPLE, word, occurrence), scope);
    });
  }

  it('keeps a multi-line configuration inside the configuration', async () => {
    const lines = await tokenize('c :: Classifier(\n  12/0806 20/0001, // arp\n  MAXLEN 4,\n  -)\nnext :: Idle');
    const scopesOf = (line: number, text: string) => lines[line].find((t) => t.text.includes(text))?.scopes ?? [];
    assert.ok(scopesOf(1, '12/0806').includes('meta.config.click'));
    assert.ok(scopesOf(1, 'arp').includes('comment.line.double-slash.click'));
    assert.ok(scopesOf(2, 'MAXLEN').includes('variable.parameter.keyword.click'));
    assert.ok(!scopesOf(4, 'next').includes('meta.config.click'), 'the configuration ended');
  });

  it('tokenizes every fixture without leaving a configuration or block open', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { FIXTURES } = await import('./clickHelpers');
    for (const name of readdirSync(join(FIXTURES, 'valid'))) {
      const lines = await tokenize(readFileSync(join(FIXTURES, 'valid', name), 'utf8') + '\nend :: Idle');
      const last = lines[lines.length - 1];
      assert.deepStrictEqual(last[0].scopes, ['source.click', 'variable.other.readwrite.element.declaration.click'], name);
    }
  });
});
