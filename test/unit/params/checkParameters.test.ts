// Keyword-argument checks of .click configurations against the parameter index of the fixture
// elements (test/fixtures/parameters), following FastClick's Args matching.
import * as assert from 'node:assert';
import { join } from 'node:path';
import { parseClick } from '../../../server/src/core/click/clickDocument';
import { ElementIndex } from '../../../server/src/core/cpp/elementIndex';
import { checkParameters, type ParameterProblem } from '../../../server/src/core/params/checkParameters';
import { viewArgument } from '../../../server/src/core/params/clickArguments';
import { closest, editDistance } from '../../../server/src/core/params/suggest';
import { ROOT } from '../cpp/fixtureIndex';
import { fastclickSourceDir } from '../../support/fastclickSource';

const PARAMS = join(ROOT, 'test', 'fixtures', 'parameters');
/** The mandatory arguments of ArgsChain, so a test can focus on one more. */
const OK = 'eth0, ETH 00:11:22:33:44:55, TIMEOUT 5';
/** Positional arguments come before keywords: Click stops matching positions at the first keyword argument. */
const POSITIONAL_OK = 'eth0, 3, 0.25, ETH 00:11:22:33:44:55, TIMEOUT 5';

describe('keyword-argument checks', () => {
  let index: ElementIndex;
  before(async function () {
    this.timeout(20_000);
    index = await ElementIndex.create();
    await index.build([PARAMS]);
  });

  async function check(text: string): Promise<Array<ParameterProblem & { text: string }>> {
    const model = await parseClick(text);
    return checkParameters(model, (n) => index.parameters(n)).map((p) => ({ ...p, text: text.slice(p.range.startOffset, p.range.endOffset) }));
  }

  it('accepts a configuration FastClick accepts', async () => {
    assert.deepStrictEqual(await check(`a :: ArgsChain(${POSITIONAL_OK}, ACTIVE false, BURST 0x20, VLAN 1, VLAN 2, HW yes, NEXT a);`), []);
    assert.deepStrictEqual(await check('b :: ChildRx(0, PROMISC true, N_QUEUES 4, VERBOSE 1); c :: LegacyShaper(100, 10.0.0.1, STRICT t);'), []);
  });

  it('reports an unknown keyword as FastClick words it, with the nearest keyword to write instead', async () => {
    const [p, ...rest] = await check(`ArgsChain(${OK}, BURTS 64);`);
    assert.deepStrictEqual(rest, []);
    assert.deepStrictEqual([p.code, p.severity, p.text, p.replacement], ['unknown-argument', 'error', 'BURTS', 'BURST']);
    assert.match(p.message, /^BURTS: unknown argument; did you mean `BURST`\?/);
    const [far] = await check(`ArgsChain(${OK}, HASHFUNC "src_ip")`);
    assert.deepStrictEqual([far.code, far.text, far.replacement], ['unknown-argument', 'HASHFUNC', undefined]);
  });

  it('reports missing mandatory arguments, taking a positional argument for a mandatory keyword as Click does', async () => {
    const problems = await check('ArgsChain(eth0)');
    assert.deepStrictEqual(
      problems.map((p) => [p.code, p.message]),
      [
        ['missing-argument', 'ETH: required argument missing'],
        ['missing-argument', 'TIMEOUT: required argument missing'],
      ],
    );
    assert.deepStrictEqual(
      (await check('ArgsChain(ETH 00:11:22:33:44:55, TIMEOUT 5, DEV eth1)')).map((p) => p.code),
      [],
    );
    assert.deepStrictEqual(
      (await check('LegacyShaper()')).map((p) => p.message),
      ['RATE: required argument missing'],
    );
  });

  it('does not require what is mandatory on some paths only', async () => {
    assert.deepStrictEqual(await check('SocketLike(TCP, 80); SocketLike(UNIX, /tmp/s); SocketLike(TCP, 80, 1)'), []);
    assert.deepStrictEqual(
      (await check('SocketLike()')).map((p) => p.message),
      ['TYPE: required argument missing'],
    );
  });

  it('warns about a keyword given twice, except for keywords read with read_all', async () => {
    const problems = await check(`ArgsChain(${OK}, ACTIVE true, VLAN 1, ACTIVE false, VLAN 2)`);
    assert.deepStrictEqual(
      problems.map((p) => [p.code, p.severity, p.text]),
      [['duplicate-argument', 'warning', 'ACTIVE']],
    );
  });

  it('reports values that cannot have the evident type, but never values from variables', async () => {
    const problems = await check('ArgsChain(eth0, x1, ETH 00:11:22:33:44:55, TIMEOUT 5, ACTIVE maybe, BURST -3)');
    assert.deepStrictEqual(
      problems.map((p) => [p.code, p.text]),
      [
        ['argument-type', 'x1'],
        ['argument-type', 'maybe'],
        ['argument-type', '-3'],
      ],
    );
    assert.match(problems[0].message, /^QUEUE: expected integer/);
    assert.match(problems[1].message, /^ACTIVE: expected boolean/);
    assert.match(problems[2].message, /^BURST: expected unsigned integer/);
    assert.deepStrictEqual(await check(`define($b 7)\nArgsChain($dev, ETH $e, TIMEOUT \${t-5}, ACTIVE $a, BURST $b, QUEUE $q)`), []);
    // `$opts` may expand to keyword arguments or to nothing: no position or mandatory argument is judged.
    assert.deepStrictEqual(await check('LegacyShaper($opts); LegacyShaper(1, $more, 2);'), []);
    // True is not one of Click's boolean spellings.
    assert.deepStrictEqual(
      (await check(`ArgsChain(${OK}, ACTIVE True)`)).map((p) => p.code),
      ['argument-type'],
    );
  });

  it('splits keyword and positional arguments as Click does', async () => {
    assert.deepStrictEqual(
      [viewArgument({ value: 'lower case' } as never).keyword, viewArgument({ value: '12/0800' } as never).keyword, viewArgument({ value: 'ALONE' } as never).keyword],
      ['lower', undefined, undefined],
    );
    // A lower-case word followed by a value is a keyword to Click: QUEUE does not take it.
    const problems = await check(`ArgsChain(${OK.replace('eth0, ', '')}, DEV eth0, lower case)`);
    assert.deepStrictEqual(
      problems.map((p) => [p.code, p.text]),
      [['unknown-argument', 'lower']],
    );
    assert.deepStrictEqual(
      (await check('LegacyShaper(10, 10.0.0.1, 5)')).map((p) => [p.code, p.text]),
      [['too-many-arguments', '5']],
    );
    // QUEUE is positional, but a keyword argument stands first: Click leaves the 3 unmatched.
    assert.deepStrictEqual(
      (await check(`ArgsChain(${OK}, 3)`)).map((p) => [p.code, p.text]),
      [['too-many-arguments', '3']],
    );
  });

  it('says nothing for partial lists, compounds of the same name, unknown classes and unclosed configurations', async () => {
    assert.deepStrictEqual(await check('PatternSwitch(FOO 1, bar baz); LaxCounter(HASHFUNC x); OpaqueTable(ANY 1); Nowhere(X 1);'), []);
    assert.deepStrictEqual(await check('elementclass ArgsChain { input -> output }\nArgsChain(FOO 1) -> Discard;'), []);
    assert.deepStrictEqual(await check('ArgsChain(BURTS 1\n-> Discard;'), []);
  });

  it('suggests by edit distance only what is close enough to be a typo', () => {
    assert.strictEqual(editDistance('BURTS', 'BURST'), 1);
    assert.strictEqual(editDistance('kitten', 'sitting'), 3);
    assert.strictEqual(closest('NDSC', ['NDESC', 'BURST']), 'NDESC');
    assert.strictEqual(closest('maxthreads', ['MAXTHREADS']), 'MAXTHREADS');
    assert.strictEqual(closest('HASHFUNC', ['PORT', 'BURST', 'MODE']), undefined);
  });
});

describe('keyword-argument checks on upstream FastClick conf/', function () {
  this.timeout(180_000);
  let dir: string;
  let index: ElementIndex;
  before(async function () {
    this.timeout(180_000);
    dir = fastclickSourceDir();
    index = await ElementIndex.create();
    await index.build([dir]);
  });

  it('finds in the configurations with a FromDPDKDevice only what FastClick rejects', async () => {
    const { readdirSync, readFileSync, statSync } = await import('node:fs');
    const files: string[] = [];
    const walk = (d: string) => {
      for (const n of readdirSync(d)) {
        const f = join(d, n);
        if (statSync(f).isDirectory()) walk(f);
        else if (f.endsWith('.click')) files.push(f);
      }
    };
    walk(join(dir, 'conf'));
    const found: string[] = [];
    let checked = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      if (!text.includes('FromDPDKDevice')) continue;
      checked++;
      const model = await parseClick(text);
      for (const p of checkParameters(model, (n) => index.parameters(n))) found.push(`${f.slice(dir.length + 1)}: ${p.message.split(' (')[0]}`);
    }
    assert.ok(checked >= 10, `${checked} configurations`);
    assert.deepStrictEqual(found.sort(), [
      // No element reads MINTHREADS (MINQUEUES exists): a typo FastClick refuses.
      'conf/ids/ids.click: MINTHREADS: unknown argument; did you mean `MAXTHREADS`?',
      // `ToHost` with no argument: the user-level ToHost reads DEVNAME with read_mp.
      'conf/switch/switch-stp-2ports-dpdk.click: DEVNAME: required argument missing',
    ]);
  });
});
