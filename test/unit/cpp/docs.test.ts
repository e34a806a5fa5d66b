import * as assert from 'node:assert';
import { extractDocs, parseDocComment, podToMarkdown } from '../../../server/src/core/cpp/docs';

describe('element documentation comments', () => {
  it('reads =c, =s, =d, =item, =h, =e and =a', () => {
    const doc = parseDocComment(`/*
=c

Shaper(RATE [, KEYWORDS])

=s shaping

limits the packet rate

=d

Lets at most RATE packets per second through.
Extra packets wait.

=item RATE

Integer. Packets per second.

=item BURST

Integer. Packets sent at once.

=h rate read/write

The current rate.

=e

  Shaper(1000) -> Queue

=a BandwidthShaper, L<RatedSplitter>
*/`)!;
    assert.strictEqual(doc.name, 'Shaper');
    assert.strictEqual(doc.synopsis, 'Shaper(RATE [, KEYWORDS])');
    assert.strictEqual(doc.category, 'shaping');
    assert.strictEqual(doc.summary, 'limits the packet rate');
    assert.strictEqual(doc.description, 'Lets at most RATE packets per second through.\nExtra packets wait.');
    assert.deepStrictEqual(doc.items, [
      { keyword: 'RATE', text: 'Integer. Packets per second.' },
      { keyword: 'BURST', text: 'Integer. Packets sent at once.' },
    ]);
    assert.deepStrictEqual(doc.handlers, [{ name: 'rate', mode: 'read/write', text: 'The current rate.' }]);
    assert.strictEqual(doc.example, 'Shaper(1000) -> Queue');
    assert.deepStrictEqual(doc.seeAlso, ['BandwidthShaper', 'RatedSplitter']);
  });

  it('reads comments written with leading asterisks', () => {
    const doc = parseDocComment('/*\n * =c\n * Counter([KEYWORDS])\n * =s counters\n * counts packets\n * =item BYTES\n * Count bytes.\n */')!;
    assert.strictEqual(doc.synopsis, 'Counter([KEYWORDS])');
    assert.strictEqual(doc.category, 'counters');
    assert.deepStrictEqual(doc.items, [{ keyword: 'BYTES', text: 'Count bytes.' }]);
  });

  it('finds every documented element in a file, with offsets, and ignores other comments', () => {
    const text = '/* license */\n/*\n=c\nA()\n*/\nclass A {};\n/*\n=c\nB(X)\n=s test\n*/\nclass B {};\n';
    const docs = extractDocs(text);
    assert.deepStrictEqual(
      docs.map((d) => d.name),
      ['A', 'B'],
    );
    assert.ok(text.slice(docs[1].start, docs[1].end).includes('B(X)'));
    assert.strictEqual(parseDocComment('/* nothing to see */'), undefined);
  });

  it('converts pod-like markup to Markdown', () => {
    assert.strictEqual(podToMarkdown('I<KEYWORDS>, B<bold>, C<code>, L<Queue>'), '*KEYWORDS*, **bold**, `code`, Queue');
  });
});
