// Function bodies converted on first read (core/cpp/deferredBodies.ts): a deferred body, parsed
// again alone, is the body converted with its file, offsets included, on our fixtures and on every
// element file of upstream FastClick; the pack keeps only the mark; a body that cannot be converted
// reads as none and is said in the index's problems.
import * as assert from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stmt } from '../../../server/src/core/cpp/ast';
import { hasBody } from '../../../server/src/core/cpp/deferredBodies';
import { ElementIndex } from '../../../server/src/core/cpp/elementIndex';
import { extractCppFile } from '../../../server/src/core/cpp/extract';
import type { CppFunction } from '../../../server/src/core/cpp/model';
import { decodeModel, encodeModel } from '../../../server/src/core/cpp/modelCodec';
import { createParser, type RecoveringParser } from '../../../server/src/core/treeSitter';
import { FeatureTracker } from '../../../server/src/core/analysis/featureTracker';
import { FeatureStore } from '../../../server/src/core/store/featureStore';
import { cppFiles, functionsOf } from '../../support/cppModels';
import { fastclickSourceDir, REPO_ROOT } from '../../support/fastclickSource';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures');

/** A helper method (deferred) called from an entry method (converted at once). */
const COUNTER = `class Counter : public Element { public:
  const char *class_name() const { return "Counter"; }
  void bump(int n) { _count += n; }
  Packet *simple_action(Packet *p) { bump(p->length()); return p; }
  int _count;
};
`;

/** A deferred body not converted yet: its `body` is still the accessor deferBody installed. */
const unconverted = (fn: CppFunction) => typeof Object.getOwnPropertyDescriptor(fn, 'body')?.get === 'function';

/** Every body of `file`, converted with the file and deferred, compared; returns how many were deferred. */
function compareFile(parser: RecoveringParser, file: string): number {
  const text = readFileSync(file, 'utf8');
  const eager = extractCppFile(parser, file, text);
  // Bodies blanked for the first parse are compared in blankedBodies.test.ts: here, the same tree as the eager parse.
  const deferred = extractCppFile(parser, file, text, { deferBodies: true, blankBodies: false });
  assert.strictEqual(deferred.syntaxErrors, eager.syntaxErrors, `${file}: syntax errors`);
  const a = functionsOf(eager);
  const b = functionsOf(deferred);
  assert.strictEqual(b.length, a.length, file);
  let n = 0;
  b.forEach((fn, i) => {
    if (fn.deferredBody) n++;
    assert.strictEqual(hasBody(fn), a[i].body !== undefined, `${file}: ${fn.name} has a body`);
    assert.deepStrictEqual(fn.body as Stmt | undefined, a[i].body, `${file}: the body of ${fn.name} at ${fn.bodyStart}`);
  });
  return n;
}

describe('deferred function bodies', function () {
  this.timeout(120_000);
  let parser: RecoveringParser;
  before(async () => {
    parser = await createParser('cpp');
  });

  it('read as the bodies converted with their file, on every fixture', () => {
    let deferred = 0;
    for (const file of cppFiles(FIXTURES)) deferred += compareFile(parser, file);
    assert.ok(deferred > 50, `${deferred} bodies deferred`);
  });

  it("read as the bodies converted with their file, on every element file of upstream FastClick (offsets, Click's macros and all)", () => {
    const files = cppFiles(join(fastclickSourceDir(), 'elements'));
    let deferred = 0;
    for (const file of files) deferred += compareFile(parser, file);
    assert.ok(files.length > 1000 && deferred > 3000, `${deferred} bodies deferred in ${files.length} files`);
  });

  it('are converted only when read: hasBody() and encoding leave them alone', () => {
    const m = extractCppFile(parser, '/x/counter.hh', COUNTER, { deferBodies: true });
    const bump = m.classes[0].methods.find((f) => f.name === 'bump')!;
    assert.ok(bump.deferredBody && unconverted(bump));
    assert.ok(hasBody(bump));
    const json = encodeModel(m);
    assert.ok(unconverted(bump), 'encoding did not convert it');
    assert.ok(!json.includes('"body"'), 'the JSON holds no converted body');
    assert.strictEqual(bump.body?.kind, 'block');
    assert.ok(!unconverted(bump));
  });

  it("convert the analysis's entry methods at once, and keep them out of the JSON all the same", () => {
    const m = extractCppFile(parser, '/x/counter.hh', COUNTER, { deferBodies: true });
    const action = m.classes[0].methods.find((f) => f.name === 'simple_action')!;
    assert.ok(action.deferredBody && !unconverted(action), 'converted with its file');
    assert.strictEqual(action.body?.kind, 'block');
    assert.ok(!encodeModel(m).includes('"body"'));
  });

  it('come back from JSON as a mark, converted by the index that reads the model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowmage-deferred-'));
    try {
      const file = join(dir, 'ipolicer.cc');
      const text = readFileSync(join(FIXTURES, 'elements', 'elements', 'flowmage', 'ipolicer.cc'), 'utf8');
      writeFileSync(file, text);
      const eager = extractCppFile(parser, file, text);
      const decoded = decodeModel(encodeModel(extractCppFile(parser, file, text, { deferBodies: true })), file);
      const process = decoded.functions.find((f) => f.name === 'process')!;
      // An entry method: converted at once when extracted, yet only its mark is in the JSON.
      assert.ok(process.deferredBody && process.body === undefined, 'decoded alone, only the mark');
      const index = await ElementIndex.create();
      await index.build([dir]);
      const read = index.model(file)!.functions.find((f) => f.name === 'process')!;
      assert.deepStrictEqual(read.body, eager.functions.find((f) => f.name === 'process')!.body);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keep a body with a parse error converted with its file (its errors counted as before)', () => {
    const text = 'int broken(Packet *p) { foo(p)) ; return 1; }\nint fine(Packet *p) { return p->length(); }\n';
    const eager = extractCppFile(parser, '/x/broken.cc', text);
    const deferred = extractCppFile(parser, '/x/broken.cc', text, { deferBodies: true });
    assert.strictEqual(deferred.syntaxErrors, eager.syntaxErrors);
    const [broken, fine] = deferred.functions;
    assert.ok(!broken.deferredBody && broken.body, 'converted now');
    assert.deepStrictEqual(broken.body, eager.functions[0].body);
    assert.ok(fine.deferredBody, 'the other body is deferred');
  });

  it('a body that cannot be converted reads as none, is said in the problems, and the rest is analyzed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowmage-deferred-'));
    try {
      mkdirSync(join(dir, 'elements'));
      // 3,000 terms chained without brackets: nested deeper than the converter walks, yet no bracket nesting.
      const chain = Array.from({ length: 3000 }, () => 'p->length()').join(' + ');
      writeFileSync(
        join(dir, 'elements', 'chain.hh'),
        `class ChainElement : public Element { public:\n  const char *class_name() const { return "ChainElement"; }\n  int total(Packet *p) { return ${chain}; }\n  Packet *simple_action(Packet *p) { _n += total(p); return p; }\n  int _n;\n};\n`,
      );
      writeFileSync(
        join(dir, 'elements', 'plain.hh'),
        'class PlainElement : public Element { public:\n  const char *class_name() const { return "PlainElement"; }\n  Packet *simple_action(Packet *p) { _count++; return p; }\n  int _count;\n};\n',
      );
      const index = await ElementIndex.create();
      await index.build([dir]);
      const tracker = new FeatureTracker(index, FeatureStore.memory(dir));
      await tracker.analyzeAll();
      assert.ok(
        index.problems.some((p) => /chain\.hh: the body of total cannot be analyzed \(code nested more than \d+ levels.*\); it is read as empty/.test(p)),
        index.problems.join('\n'),
      );
      // The helper's body read as empty: the element is analyzed from the rest.
      assert.deepStrictEqual(
        tracker.get('ChainElement')?.features.stateObjects.map((o) => o.name),
        ['_n'],
      );
      assert.deepStrictEqual(
        tracker.get('PlainElement')?.features.stateObjects.map((o) => [o.name, o.writes]),
        [['_count', 'per-packet']],
      );
      // Once the file is mended, the problem goes with its old model.
      const chainFile = join(dir, 'elements', 'chain.hh');
      writeFileSync(chainFile, readFileSync(chainFile, 'utf8').replace(/return p->length\(\)(?: \+ p->length\(\))*;/, 'return p->length();'));
      await index.updateFile(chainFile);
      assert.ok(!index.problems.some((p) => /chain\.hh/.test(p)), index.problems.join('\n'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
