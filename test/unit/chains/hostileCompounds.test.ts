// Issue 13, item 1: tiny valid configurations whose compounds expand forever (nested anonymous
// compounds sharing a scope name, a recursive elementclass) or to millions of instances (classes
// that each use the previous one twice) must finish quickly, in bounded memory, with a diagnostic.
import * as assert from 'node:assert';
import { analyzeConfig } from '../../../server/src/core/chains/analyzeConfig';
import { flattenConfig, MAX_INSTANCES } from '../../../server/src/core/chains/findChains';
import { fixtureOptions, parse } from './fixtureFeatures';
import { doublingChain, NESTED_ANONYMOUS, RECURSIVE } from './hostileConfigs';
import { LineIndex } from '../../../server/src/core/text';

/** Runs `f`, returning its result with the time it took and how much the heap grew. */
async function measured<T>(f: () => Promise<T>): Promise<{ value: T; ms: number; heapMB: number }> {
  global.gc?.();
  const heap = process.memoryUsage().heapUsed;
  const start = performance.now();
  const value = await f();
  return { value, ms: performance.now() - start, heapMB: (process.memoryUsage().heapUsed - heap) / 1e6 };
}

describe('hostile compounds (issue 13, item 1)', function () {
  this.timeout(30_000);

  it('gives nested anonymous compounds distinct scopes and expands each body once', async () => {
    const model = await parse(NESTED_ANONYMOUS);
    assert.deepStrictEqual(model.problems, []);
    const compounds = model.scopes.filter((s) => s.kind === 'compound').map((s) => s.name);
    assert.deepStrictEqual(compounds, ['{@2}', '{@2/@1}', '{@2/@1/@1}', '{@2/@1/@1/@1}']);
    const flat = flattenConfig(model);
    assert.deepStrictEqual(flat.problems, []);
    assert.deepStrictEqual(
      flat.chains[0].elements.map((e) => e.id),
      ['input', '@2/@1/@1/@1/Counter@1', 'Discard@3'],
    );
  });

  it('keeps inline compounds of the same name in different classes apart', async () => {
    const model = await parse(`elementclass A { input -> x :: { input -> Counter -> output } -> output }
elementclass B { input -> x :: { input -> Paint(1) -> output } -> output }
input :: FromDPDKDevice(0) -> A -> B -> Discard;
`);
    assert.deepStrictEqual(model.problems, []);
    const ids = flattenConfig(model).chains[0].elements.map((e) => `${e.id}:${e.className}`);
    assert.deepStrictEqual(ids, ['input:FromDPDKDevice', 'A@2/x/Counter@1:Counter', 'B@3/x/Paint@1:Paint', 'Discard@4:Discard']);
  });

  it('reports an elementclass that uses itself where it is used, and does not expand it', async () => {
    const model = await parse(RECURSIVE);
    const recursion = model.problems.filter((p) => p.code === 'recursive-elementclass');
    assert.deepStrictEqual(
      recursion.map((p) => [new LineIndex(model.text).position(p.range.startOffset).character, p.severity]),
      [
        [26, 'error'],
        [31, 'error'],
      ],
    );
    assert.match(recursion[0].message, /`R` uses itself.*recursive elementclass/);
    const analysis = await analyzeConfig(model, await fixtureOptions());
    assert.deepStrictEqual(
      analysis.findings.filter((f) => f.code === 'recursive-elementclass'),
      [],
      'said once, by the parser',
    );
    // The uses inside R are left out: the chain stops at them.
    assert.deepStrictEqual(
      flattenConfig(model).chains[0].elements.map((e) => e.id),
      ['input'],
    );
  });

  it('reports recursion through a class nested in the recursive one', async () => {
    const model = await parse('elementclass A { elementclass B { input -> A -> output } input -> B -> output }\nFromDPDKDevice(0) -> A -> Discard;\n');
    const [problem] = model.problems.filter((p) => p.code === 'recursive-elementclass');
    assert.match(problem.message, /`A` uses itself \(A → B → A\)/);
  });

  it('takes a class name inside a redefinition of that class for the earlier class, as Click does', async () => {
    const model = await parse('elementclass R { input -> Counter -> output }\nelementclass R { input -> R -> output }\nFromDPDKDevice(0) -> R -> Discard;\n');
    assert.deepStrictEqual(model.problems, []);
    const inner = model.references.find((r) => r.kind === 'class' && r.name === 'R' && !r.isDeclaration && new LineIndex(model.text).position(r.range.startOffset).line === 1);
    assert.strictEqual(inner?.target, 0, 'the R used in the second body is the first R');
  });

  it('stops recursion through a class defined later, which the chains resolve', async () => {
    // Click would not resolve `A` in B (not defined yet); the chains do, and must still stop.
    const model = await parse('elementclass B { input -> A -> output }\nelementclass A { input -> B -> B -> output }\nFromDPDKDevice(0) -> A -> Discard;\n');
    const analysis = await analyzeConfig(model, await fixtureOptions());
    const [finding] = analysis.findings.filter((f) => f.code === 'recursive-elementclass');
    assert.match(finding.message, /elementclass `A` contains itself \(A → B → A\)/);
    assert.strictEqual(new LineIndex(model.text).position(finding.range.startOffset).line, 0, 'on the use of A inside B');
  });

  it('stops a doubling chain of 20 classes at the instance budget, quickly, with a warning on the use', async () => {
    const text = doublingChain(20);
    const model = await parse(text);
    assert.deepStrictEqual(model.problems, []);
    const options = await fixtureOptions();
    const { value: analysis, ms, heapMB } = await measured(() => analyzeConfig(model, options));
    const [finding] = analysis.findings.filter((f) => f.code === 'expansion-budget');
    assert.ok(finding, 'a budget finding');
    assert.strictEqual(finding.severity, 'warning');
    assert.match(finding.message, new RegExp(`expanding \`C19\` would create more than ${MAX_INSTANCES} element instances`));
    assert.strictEqual(text.slice(finding.range.startOffset, finding.range.endOffset), 'C19');
    assert.deepStrictEqual(analysis.chains, [], 'no partial chain is analyzed');
    assert.deepStrictEqual(analysis.edits, [], 'and nothing is rewritten');
    assert.ok(ms < 8_000, `took ${ms.toFixed(0)} ms`); // about 1.5 s on an idle machine
    assert.ok(heapMB < 300, `heap grew ${heapMB.toFixed(0)} MB`);
  });

  it('still expands a legal doubling chain below the budget completely', async () => {
    const flat = flattenConfig(await parse(doublingChain(12)));
    assert.deepStrictEqual(flat.problems, []);
    assert.strictEqual(flat.chains[0].elements.filter((e) => e.className === 'Counter').length, 2 ** 11);
  });
});
