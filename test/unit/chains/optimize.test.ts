import * as assert from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeConfig } from '../../../server/src/core/chains/analyzeConfig';
import { flattenConfig } from '../../../server/src/core/chains/findChains';
import { applyEdits } from '../../../server/src/core/text';
import { ROOT, fixtureOptions, parse } from './fixtureFeatures';

const PAPER = readFileSync(join(ROOT, 'examples', 'paper-chain.click'), 'utf8');

async function optimize(text: string, overrides = {}) {
  const model = await parse(text);
  assert.deepStrictEqual(
    model.problems.filter((p) => p.severity === 'error'),
    [],
    'the input parses',
  );
  const analysis = await analyzeConfig(model, await fixtureOptions(overrides));
  const out = applyEdits(text, analysis.edits);
  const again = await parse(out);
  assert.deepStrictEqual(
    again.problems.filter((p) => p.severity === 'error').map((p) => p.message),
    [],
    `the rewrite re-parses:\n${out}`,
  );
  const second = await analyzeConfig(again, await fixtureOptions(overrides));
  assert.deepStrictEqual(second.edits, [], `a second rewrite changes nothing:\n${out}`);
  return { model, analysis, out };
}

describe('chains', () => {
  it('follows connections from each input through groups and compounds', async () => {
    const model = await parse(`
elementclass Pair { $size | input -> a :: IPolicer(SIZE $size) -> b :: ISourceCounter -> output }
src :: FromDPDKDevice(0) -> ( input -> CheckIPHeader -> output ) -> p :: Pair(100) -> q :: Pair(200) -> Discard;
other :: FromDevice(eth1) -> Discard;
lonely :: IPolicer;
`);
    const flat = flattenConfig(model);
    const ids = flat.chains.map((c) => c.elements.map((e) => e.id));
    assert.deepStrictEqual(ids[0].slice(0, 1), ['src']);
    for (const id of ['p/a', 'p/b', 'q/a', 'q/b']) assert.ok(ids[0].includes(id), `${id} in ${ids[0].join(', ')}`);
    assert.ok(ids[0][ids[0].length - 1].startsWith('Discard@'), 'the chain ends at the anonymous Discard');
    assert.ok(
      ids[0].some((i) => i.startsWith('CheckIPHeader')),
      'the group is crossed',
    );
    assert.ok(!ids[0].includes('lonely'));
    assert.strictEqual(flat.chains[1].input.id, 'other');
    const pa = flat.instances.find((i) => i.id === 'p/a')!;
    assert.strictEqual(pa.bindings.get('size'), '100');
  });
});

describe('Optimize chain on the paper configuration (Figure 7)', () => {
  it('hashes src_ip, keeps the detector and the counter shared-nothing and shares the policer', async () => {
    const { analysis, out } = await optimize(PAPER);
    const [chain] = analysis.chains;
    assert.deepStrictEqual(chain.plan.rss, ['src_ip']);
    assert.strictEqual(chain.threads, 16);
    const shared = Object.fromEntries(chain.plan.elements.filter((e) => e.stateful).map((e) => [e.name, e.shared]));
    assert.deepStrictEqual(shared, { psd: false, policer: true, counter: false });
    assert.match(out, /FromDPDKDevice\(\$port, MAXTHREADS 16, NDESC 256, HASHFUNC "src_ip"\)/);
    assert.match(out, /psd :: IPortScanDetector\(SIZE 8000000, SHARED false\)/);
    assert.match(out, /policer :: IPolicer\(SIZE 8000000, SHARED true\)/);
    assert.match(out, /counter :: IFlowCounter\(SIZE 64000000, SHARED false\)/);
    assert.strictEqual(out.split('\n').length, PAPER.split('\n').length, 'no line added or removed');
  });

  it('without pointer chasing in the cost the detector and the policer tie, and the tie-break picks the heavier detector', async () => {
    const { analysis } = await optimize(PAPER, { 'flowmage.solver.weights.pointerChasingFactor': 1 });
    const plan = analysis.chains[0].plan;
    assert.notStrictEqual(plan.tieBreak.method, 'none');
    const dst = plan.alternatives.find((a) => a.rss.join() === 'dst_ip');
    assert.strictEqual(dst?.cost, plan.cost, 'src_ip and dst_ip tie on cost');
    assert.strictEqual(plan.tieBreak.method, 'static-estimate');
    assert.deepStrictEqual(plan.tieBreak.ranking, ['psd', 'policer']);
    assert.deepStrictEqual(plan.rss, ['src_ip']);
  });

  it('asks the complexity comparator only about the tied elements', async () => {
    const model = await parse(PAPER);
    const asked: string[] = [];
    const options = await fixtureOptions({ 'flowmage.solver.weights.pointerChasingFactor': 1 });
    const analysis = await analyzeConfig(model, {
      ...options,
      compareComplexity: async (a, b) => {
        asked.push(`${a}/${b}`);
        return 'IPolicer';
      },
    });
    assert.deepStrictEqual(asked.length, 1);
    assert.ok(asked[0].includes('IPolicer') && asked[0].includes('IPortScanDetector'));
    assert.strictEqual(analysis.chains[0].plan.tieBreak.method, 'llm');
    assert.deepStrictEqual(analysis.chains[0].plan.rss, ['dst_ip']);
  });

  it('a policer (dst_ip) with a source tracker (src_ip) leaves exactly one shared, and warns on both', async () => {
    const { analysis } = await optimize('in :: FromDPDKDevice(0, MAXTHREADS 8) -> pol :: IPolicer -> tr :: ISourceCounter -> ToDPDKDevice(0);\n');
    const decisions = analysis.chains[0].plan.elements.filter((e) => e.stateful);
    assert.strictEqual(decisions.filter((d) => d.shared === true).length, 1);
    const disjoint = analysis.findings.filter((f) => f.code === 'disjoint-keys');
    assert.strictEqual(disjoint.length, 2);
    assert.strictEqual(disjoint[0].related.length, 1);
  });
});

describe('findings', () => {
  it('flags SHARED false when RSS is not inside the key, as an error the plan fixes', async () => {
    const text = 'in :: FromDPDKDevice(0) -> pol :: IPolicer(SHARED false) -> Discard;\n';
    const model = await parse(text);
    const analysis = await analyzeConfig(model, await fixtureOptions());
    const err = analysis.findings.find((f) => f.code === 'unsafe-shared-nothing');
    assert.ok(err, JSON.stringify(analysis.findings));
    assert.strictEqual(err.severity, 'error');
    assert.strictEqual(text.slice(err.range.startOffset, err.range.endOffset), 'SHARED false');
    assert.ok(err.fixedByPlan);
  });

  it('hints where a better plan exists and says nothing once optimized', async () => {
    const text = 'in :: FromDPDKDevice(0) -> c :: ISourceCounter -> Discard;\n';
    const { analysis, out } = await optimize(text);
    assert.ok(analysis.findings.some((f) => f.code === 'better-plan'));
    const after = await analyzeConfig(await parse(out), await fixtureOptions());
    // The plan hashes one address; without a trace it says so (a caveat on the plan, not a fix to make).
    assert.deepStrictEqual(
      after.findings.filter((f) => f.code === 'rss-balance').map((f) => f.severity),
      ['information'],
    );
    assert.deepStrictEqual(
      after.findings.filter((f) => f.code !== 'unknown-class' && f.code !== 'rss-balance'),
      [],
    );
  });

  it('reports stateful-looking classes missing from the index', async () => {
    const analysis = await analyzeConfig(await parse('in :: FromDPDKDevice(0) -> fw :: MyFlowFirewall -> Discard;\n'), await fixtureOptions());
    const info = analysis.findings.find((f) => f.code === 'unknown-class');
    assert.strictEqual(info?.severity, 'information');
    assert.match(info!.message, /MyFlowFirewall/);
  });
});

describe('rewrite', () => {
  it('replaces an existing keyword in place and keeps comments, spacing and variables', async () => {
    const text = [
      'define($p 0, $size 1000)',
      'in :: FromDPDKDevice($p,  HASHFUNC "dst_ip" /* old */, MAXTHREADS 4)',
      '  -> c :: ISourceCounter( SIZE $size , SHARED true ) // keep me',
      '  -> Discard;',
      '',
    ].join('\n');
    const { out } = await optimize(text);
    assert.strictEqual(
      out,
      [
        'define($p 0, $size 1000)',
        'in :: FromDPDKDevice($p,  HASHFUNC "src_ip" /* old */, MAXTHREADS 4)',
        '  -> c :: ISourceCounter( SIZE $size , SHARED false ) // keep me',
        '  -> Discard;',
        '',
      ].join('\n'),
    );
  });

  it('adds parentheses to an element written without them, and fills empty ones', async () => {
    const { out } = await optimize('in :: FromDPDKDevice() -> c :: ISourceCounter -> Discard;\n');
    assert.strictEqual(out, 'in :: FromDPDKDevice(HASHFUNC "src_ip") -> c :: ISourceCounter(SHARED false) -> Discard;\n');
  });

  it('continues a one-argument-per-line configuration on a new line', async () => {
    const text = 'in :: FromDPDKDevice(0,\n                     MAXTHREADS 4,\n                     NDESC 512)\n  -> c :: ISourceCounter -> Discard;\n';
    const { out } = await optimize(text);
    assert.strictEqual(
      out,
      'in :: FromDPDKDevice(0,\n                     MAXTHREADS 4,\n                     NDESC 512,\n                     HASHFUNC "src_ip")\n  -> c :: ISourceCounter(SHARED false) -> Discard;\n',
    );
  });

  it('reads HASHFUNC $formal through the use and leaves it alone when the plan keeps those fields', async () => {
    const text = ['elementclass In { $h | FromDPDKDevice(0, HASHFUNC $h) -> output }', 'in :: In("src_ip") -> c :: ISourceCounter(SHARED false) -> Discard;', ''].join('\n');
    const { analysis, out } = await optimize(text);
    const [chain] = analysis.chains;
    assert.deepStrictEqual(chain.current.rss, ['src_ip'], 'the RSS in place is read through the formal');
    assert.strictEqual(chain.current.source, 'parameter');
    assert.deepStrictEqual(chain.plan.rss, ['src_ip']);
    assert.deepStrictEqual(analysis.edits, [], `no edit when the plan keeps the fields:\n${out}`);
    assert.strictEqual(out, text);
  });

  it('rewrites HASHFUNC $formal when the use binds other fields than the plan', async () => {
    const text = ['elementclass In { $h | FromDPDKDevice(0, HASHFUNC $h) -> output }', 'in :: In("dst_ip") -> c :: ISourceCounter -> Discard;', ''].join('\n');
    const model = await parse(text);
    const analysis = await analyzeConfig(model, await fixtureOptions({}));
    assert.deepStrictEqual(analysis.chains[0].current.rss, ['dst_ip']);
    assert.deepStrictEqual(analysis.chains[0].plan.rss, ['src_ip']);
    assert.match(applyEdits(text, analysis.edits), /HASHFUNC "src_ip"/);
  });

  it('edits inside an elementclass body and flags instances that need different values', async () => {
    const text = [
      'elementclass Stage { input -> pol :: IPolicer -> output }',
      'a :: FromDPDKDevice(0) -> s1 :: Stage -> IPortScanDetector -> Discard;',
      'b :: FromDPDKDevice(1) -> s2 :: Stage -> Discard;',
      '',
    ].join('\n');
    const { analysis, out } = await optimize(text);
    assert.match(out, /pol :: IPolicer\(SHARED true\)/);
    assert.ok(
      analysis.editNotes.some((n) => /elementclass Stage/.test(n) && /stays shared/.test(n)),
      analysis.editNotes.join('\n'),
    );
    const rssB = analysis.chains.find((c) => c.chain.input.id === 'b')!.plan.rss;
    assert.deepStrictEqual(rssB, ['dst_ip']);
  });

  it('an element reached from two inputs gets one value that is safe for both', async () => {
    const text = 'a :: FromDPDKDevice(0) -> tr :: ISourceCounter -> Discard;\nb :: FromDPDKDevice(1) -> pol :: IPolicer -> tr;\n';
    const { analysis, out } = await optimize(text);
    assert.match(out, /tr :: ISourceCounter\(SHARED true\)/, out);
    assert.ok(analysis.editNotes.some((n) => n.includes('tr (ISourceCounter)')));
  });

  it('every valid fixture configuration rewrites to a configuration that parses, idempotently', async () => {
    const dir = join(ROOT, 'test', 'fixtures', 'click', 'valid');
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.click'))) await optimize(readFileSync(join(dir, f), 'utf8'));
  });
});
