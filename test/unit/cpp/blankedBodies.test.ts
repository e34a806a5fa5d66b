// Bodies blanked for a file's first parse (core/cpp/blankedBodies.ts): which bodies the scan
// picks, what the parser reads, the fallback when the guess does not fit the tree, and, on every
// element file of upstream FastClick, the same model as a parse of the whole text.
import * as assert from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Stmt } from '../../../server/src/core/cpp/ast';
import { blankedInput, deferrableBodies, includedRanges } from '../../../server/src/core/cpp/blankedBodies';
import { extractCppFile } from '../../../server/src/core/cpp/extract';
import { blankClickMacros } from '../../../server/src/core/cpp/macros';
import type { CppFileModel } from '../../../server/src/core/cpp/model';
import { encodeModel } from '../../../server/src/core/cpp/modelCodec';
import { createParser, type RecoveringParser } from '../../../server/src/core/treeSitter';
import { cppFiles, functionsOf } from '../../support/cppModels';
import { fastclickSourceDir } from '../../support/fastclickSource';

/** Long enough to be worth blanking. */
const STMTS = 'int a = p->length(); _count += a; _bytes += a * 2; if (a > 64) _big++; return;';

/** The functions whose bodies the scan picks in `text`. */
function picked(text: string): string[] {
  return deferrableBodies(text).map((b) => {
    const head = text.slice(0, b.open);
    return /([~\w]+)\s*\([^()]*\)[^(){};]*$/.exec(head)?.[1] ?? `?${b.open}`;
  });
}

/** Everything the parser reads through the callback, from the start, in its order. */
function readAll(input: (index: number) => string): string {
  let out = '';
  for (let chunk = input(0); chunk; chunk = input(out.length)) out += chunk;
  return out;
}

/** The model's JSON without its bodies, and without whether each was deferred (compared apart). */
function withoutBodies(m: CppFileModel): string {
  return encodeModel(m).replace(/,"(?:body|deferredBody)":(?:"(?:[^"\\]|\\.)*"|true)/g, '');
}

describe('bodies blanked for the first parse', function () {
  this.timeout(180_000);
  let parser: RecoveringParser;
  before(async () => {
    parser = await createParser('cpp');
  });

  it('picks the bodies the extractor defers, in and out of classes (not those it reads at once)', () => {
    const text = `
namespace click {
class Counter : public BatchElement { public:
  Counter() : _count(0) { ${STMTS} }
  const char *class_name() const override { return "Counter"; ${STMTS} }
  int configure(Vector<String> &conf, ErrorHandler *errh) { ${STMTS} }
  void bump(Packet *p) const { ${STMTS} }
  Packet *simple_action(Packet *p) { ${STMTS} }
  void tiny() { _n++; }
};
}
Counter::Counter(int x) { ${STMTS} }
Counter::~Counter() { ${STMTS} }
int Counter::parse(Args &args) { ${STMTS} }
void Counter::push_batch(int port, PacketBatch *batch) { ${STMTS} }
template <typename T> void Table<T>::expire(Timestamp now) { ${STMTS} }
int Counter::add_handlers() { ${STMTS} }
`;
    // Configuration readers too: their reads are extracted on first read (deferredConfigReads.ts).
    assert.deepStrictEqual(picked(text), ['configure', 'bump', '~Counter', 'parse', 'expire', 'add_handlers']);
  });

  it('keeps constructors with initializer lists, and ignores braces in comments, strings and characters', () => {
    const text = `
Thing::Thing() : _a(0), _b{1}, _timer(this) { ${STMTS} }
/* void fake() { ${STMTS} } */
// void fake2() { ${STMTS}
void helper(const char *s) { const char *x = "}{"; char c = '}'; ${STMTS} }
void after() { ${STMTS} }
`;
    assert.deepStrictEqual(picked(text), ['helper', 'after']);
  });

  it('leaves a body with a preprocessor line in it, and what only looks like a function', () => {
    const text = `
void conditional(Packet *p) {
#if HAVE_BATCH
  if (p) { ${STMTS} }
#endif
}
static auto lambda = [](int x) { ${STMTS} };
void trailing() -> void { ${STMTS} }
int table[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };
void last() { ${STMTS} }
`;
    assert.deepStrictEqual(picked(text), ['last']);
  });

  it('blanks nothing after braces a conditional leaves unbalanced', () => {
    const text = `
void before() { ${STMTS} }
void conditional(Packet *p) {
#if HAVE_BATCH
  if (p) { ${STMTS}
#else
  if (!p) { ${STMTS}
#endif
  }
}
void after() { ${STMTS} }
`;
    assert.deepStrictEqual(picked(text), ['before']);
  });

  it('tells a nested class out of line by its own name', () => {
    const text = `struct Outer::Inner : public Base { Inner(int x) { ${STMTS} } void step() { ${STMTS} } };`;
    assert.deepStrictEqual(picked(text), ['step']);
  });

  it('has the parser read `{;` and spaces for a blanked body, the rest as written, wherever it starts reading', () => {
    const text = `void a() { ${STMTS} }\nvoid b() {\n  ${STMTS}\n}\nint x;\n`;
    const bodies = deferrableBodies(text);
    assert.strictEqual(bodies.length, 2);
    const expected = bodies.reduce((t, b) => t.slice(0, b.open + 1) + ';' + ' '.repeat(b.close - b.open - 2) + t.slice(b.close), text);
    const input = blankedInput(text, bodies);
    assert.strictEqual(readAll(input), expected);
    // Out of order (the parser may read back): each read starts at its index.
    for (const i of [expected.length - 3, 5, bodies[1].open + 1, bodies[0].close, 0, bodies[0].open + 7]) {
      assert.strictEqual(input(i), expected.slice(i, i + input(i).length), `read at ${i}`);
      assert.ok(input(i).length > 0);
    }
    assert.strictEqual(input(expected.length), '');
  });

  it('leaves the rest of each blanked body out of the parse, with the same tree as a parse of `{;` and spaces', () => {
    const text = `// a comment\nvoid a() { ${STMTS} }\nclass C { public:\n  void b() {\n    ${STMTS}\n  }\n};\nint x;\n`;
    const bodies = deferrableBodies(text);
    assert.strictEqual(bodies.length, 2);
    const ranges = includedRanges(text, bodies);
    // Around each body: its `{` and `;` in, the rest out, from its `}` on in again.
    assert.deepStrictEqual(
      ranges.map((r) => [r.startIndex, r.endIndex]),
      [
        [0, bodies[0].open + 2],
        [bodies[0].close, bodies[1].open + 2],
        [bodies[1].close, text.length],
      ],
    );
    // Points as the parser gives them: the row, and the column in UTF-16 code units.
    const lines = text.slice(0, bodies[1].close).split('\n');
    assert.deepStrictEqual(ranges[2].startPosition, { row: lines.length - 1, column: lines[lines.length - 1].length });
    const spaces = parser.parse(blankedInput(text, bodies))!;
    const left = parser.parse(blankedInput(text, bodies), null, { includedRanges: ranges })!;
    // The same parser parses the next text whole: the ranges hold for one parse only.
    const next = 'int a;\nint b;\nint c;\n';
    const after = parser.parse(next)!;
    try {
      assert.strictEqual(left.rootNode.toString(), spaces.rootNode.toString());
      assert.ok(!left.rootNode.hasError);
      assert.strictEqual(after.rootNode.namedChildren.length, 3);
      assert.strictEqual(after.rootNode.endIndex, next.length);
    } finally {
      spaces.delete();
      left.delete();
      after.delete();
    }
  });

  it('gives the same model as the whole text, the bodies read alike once converted', () => {
    const text = `class Counter : public Element { public:
  const char *class_name() const { return "Counter"; }
  void bump(Packet *p) { ${STMTS} }
  Packet *simple_action(Packet *p) { bump(p); return p; }
  int _count, _bytes, _big;
};
void Counter::drain(PacketBatch *batch) {
  FOR_EACH_PACKET(batch, p) { ${STMTS} }
}
`;
    let mismatches = 0;
    const blanked = extractCppFile(parser, '/x/counter.hh', text, { deferBodies: true, onBlankingMismatch: () => mismatches++ });
    const whole = extractCppFile(parser, '/x/counter.hh', text, { deferBodies: true, blankBodies: false });
    assert.strictEqual(deferrableBodies(blankClickMacros(text).text).length, 2);
    assert.strictEqual(mismatches, 0);
    assert.strictEqual(encodeModel(blanked), encodeModel(whole));
    const a = functionsOf(blanked);
    const b = functionsOf(whole);
    a.forEach((fn, i) => assert.deepStrictEqual(fn.body as Stmt | undefined, b[i].body, fn.name));
  });

  it('parses the file again whole when the blanking does not fit the tree', () => {
    // A head the scan reads as a function's, which the parser does not (a macro in the parameter list).
    const text = `extern "C" void
publish_all(CLICK_NAME(Vector)<CLICK_NAME(String)> &v)
{
    for (int i = 0; i < npackages; i++) v.push_back(packages[i]); ${STMTS}
}
void Other::helper(Packet *p) { ${STMTS} }
`;
    assert.ok(deferrableBodies(text).length > 0);
    const reasons: string[] = [];
    const blanked = extractCppFile(parser, '/x/driver.cc', text, { deferBodies: true, onBlankingMismatch: (_path, reason) => reasons.push(reason) });
    const whole = extractCppFile(parser, '/x/driver.cc', text, { deferBodies: true, blankBodies: false });
    assert.strictEqual(reasons.length, 1, 'one second parse');
    assert.match(reasons[0], /no function body|not the function body/);
    assert.strictEqual(encodeModel(blanked), encodeModel(whole));
  });

  it('gives the same model on every element file of upstream FastClick that parses cleanly whole, and recovers a class a body error hid', () => {
    const files = cppFiles(join(fastclickSourceDir(), 'elements'));
    let compared = 0;
    let fellBack = 0;
    let blankedChars = 0;
    let chars = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const whole = extractCppFile(parser, file, text, { deferBodies: true, blankBodies: false });
      const blanked = extractCppFile(parser, file, text, { deferBodies: true, onBlankingMismatch: () => fellBack++ });
      chars += text.length;
      for (const b of deferrableBodies(blankClickMacros(text).text)) blankedChars += b.close - b.open;
      // With a parse error in a blanked body, the blanked parse may find more than the whole one.
      if (whole.syntaxErrors) continue;
      compared++;
      assert.strictEqual(withoutBodies(blanked), withoutBodies(whole), file);
      const a = functionsOf(blanked);
      const b = functionsOf(whole);
      a.forEach((fn, i) => {
        // A body the whole parse converted at once has an error in it: alone, it may convert otherwise.
        if (b[i].deferredBody) assert.deepStrictEqual(fn.body as Stmt | undefined, b[i].body, `${file}: ${fn.name}`);
      });
    }
    assert.ok(compared > 1000, `${compared} files compared`);
    assert.ok(fellBack <= 10, `${fellBack} files parsed again whole`);
    assert.ok(blankedChars > chars / 5, `${blankedChars} of ${chars} characters blanked`);
    // sfmaker.hh: an error in a function body made the whole file one ERROR node, and the class was lost.
    const sfmaker = join(fastclickSourceDir(), 'elements', 'flow', 'sfmaker.hh');
    const text = readFileSync(sfmaker, 'utf8');
    const names = (m: CppFileModel) => m.classes.map((c) => c.name);
    assert.ok(!names(extractCppFile(parser, sfmaker, text, { deferBodies: true, blankBodies: false })).includes('SFMaker'));
    assert.ok(names(extractCppFile(parser, sfmaker, text, { deferBodies: true })).includes('SFMaker'));
  });
});
