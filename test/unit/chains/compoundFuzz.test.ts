// Generated configurations of nested inline compounds and elementclasses that use each other (and
// themselves) any number of times: parsing, the chain analysis and the rewrite must finish under a
// time and memory budget whatever the shape (issue 13, item 1).
import * as assert from 'node:assert';
import * as fc from 'fast-check';
import { analyzeConfig } from '../../../server/src/core/chains/analyzeConfig';
import { applyEdits } from '../../../server/src/core/text';
import { fixtureOptions, parse } from './fixtureFeatures';

/** Per configuration: wall time and heap growth (the budget stops expansion near 100,000 instances). */
const TIME_BUDGET_MS = 5_000;
const HEAP_BUDGET_MB = 250;

type Item = { kind: 'class'; index: number } | { kind: 'leaf'; className: string } | { kind: 'inline'; items: Item[] };

const leaf = fc.constantFrom('Counter', 'Paint(1)', 'IPFilter(allow all)').map((className): Item => ({ kind: 'leaf', className }));
const classUse = fc.nat(7).map((index): Item => ({ kind: 'class', index }));
const { item } = fc.letrec<{ item: Item; items: Item[] }>((tie) => ({
  item: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    classUse,
    classUse,
    tie('items').map((items): Item => ({ kind: 'inline', items })),
  ),
  items: fc.array(tie('item'), { minLength: 1, maxLength: 3 }),
}));
const chainItems = fc.array(item, { minLength: 1, maxLength: 4 });

/** Writes chain items; `useOf` names the class a class use refers to (a leaf when it gives none). */
function render(items: Item[], useOf: (index: number) => string | undefined): string {
  return items.map((i) => (i.kind === 'leaf' ? i.className : i.kind === 'class' ? (useOf(i.index) ?? 'Counter') : `{ input -> ${render(i.items, useOf)} -> output }`)).join(' -> ');
}

function configurationOf(bodies: Item[][], top: Item[], useOf: (from: number, index: number) => string | undefined): string {
  const classes = bodies.map((b, i) => `elementclass C${i} { input -> ${render(b, (index) => useOf(i, index))} -> output }`);
  return `${classes.join('\n')}\nsrc :: FromDPDKDevice(0) -> ${render(top, (index) => useOf(bodies.length, index))} -> Discard;\n`;
}

/** Classes that may use any class, themselves and later ones included (recursion). */
const anyUses = fc
  .tuple(fc.array(chainItems, { minLength: 1, maxLength: 8 }), chainItems)
  .map(([bodies, top]) => configurationOf(bodies, top, (_from, index) => `C${index % bodies.length}`));

/** Classes that use only earlier ones, `fanout` times each: legal, and 2^19 instances from 20 lines. */
const layered = (layers: { min: number; max: number }, fanout: { min: number; max: number }) =>
  fc
    .tuple(fc.array(fc.array(classUse, { minLength: fanout.min, maxLength: fanout.max }), { minLength: layers.min, maxLength: layers.max }), chainItems)
    .map(([bodies, top]) => configurationOf(bodies, top, (from, index) => (from === 0 ? undefined : `C${from - 1 - (index % Math.min(from, 2))}`)));

const configuration = fc.oneof(
  { arbitrary: anyUses, weight: 3 },
  { arbitrary: layered({ min: 2, max: 9 }, { min: 1, max: 2 }), weight: 2 },
  // At least 2^17 instances: always past the budget.
  { arbitrary: layered({ min: 18, max: 24 }, { min: 2, max: 3 }), weight: 1 },
);

describe('fuzzed nested and recursive compounds', function () {
  this.timeout(60_000);

  it('parse, analyze and optimize finish under a time and memory budget', async () => {
    const options = await fixtureOptions();
    let worst = { ms: 0, heapMB: 0, text: '' };
    const seen = { budget: 0, recursion: 0, chains: 0 };
    await fc.assert(
      fc.asyncProperty(configuration, async (text) => {
        global.gc?.();
        const heap = process.memoryUsage().heapUsed;
        const start = performance.now();
        const model = await parse(text);
        const analysis = await analyzeConfig(model, options);
        applyEdits(text, analysis.edits);
        const ms = performance.now() - start;
        const heapMB = (process.memoryUsage().heapUsed - heap) / 1e6;
        if (ms > worst.ms) worst = { ms, heapMB, text };
        assert.ok(ms < TIME_BUDGET_MS, `took ${ms.toFixed(0)} ms:\n${text}`);
        assert.ok(heapMB < HEAP_BUDGET_MB, `heap grew ${heapMB.toFixed(0)} MB:\n${text}`);
        // A class whose body names itself is recursion, which the parser reports.
        const selfUse = text.split('\n').some((line) => /^elementclass (C\d+) \{.*\b\1\b/.test(line));
        assert.strictEqual(
          model.problems.some((p) => p.code === 'recursive-elementclass'),
          selfUse,
          text,
        );
        if (analysis.findings.some((f) => f.code === 'expansion-budget')) seen.budget++;
        if (selfUse || analysis.findings.some((f) => f.code === 'recursive-elementclass')) seen.recursion++;
        if (analysis.chains.length) seen.chains++;
      }),
      { numRuns: 24, seed: 13 },
    );
    // The generator reaches every case: the budget, recursion and configurations analyzed in full.
    assert.ok(seen.budget > 0 && seen.recursion > 0 && seen.chains > 0, JSON.stringify(seen));
    console.log(`      ${JSON.stringify(seen)}; slowest ${worst.ms.toFixed(0)} ms, heap +${worst.heapMB.toFixed(0)} MB`);
  });
});
