// The parameter index over fixture elements written for it (test/fixtures/parameters): every Args
// read method, a base class's configure(), helpers given conf or an Args, cp_va_kparse, and
// configurations it cannot fully read.
import * as assert from 'node:assert';
import { join } from 'node:path';
import { ElementIndex } from '../../../server/src/core/cpp/elementIndex';
import { readsKeyword, type ElementParameter, type ParameterList } from '../../../server/src/core/cpp/parameters';
import { ROOT } from './fixtureIndex';
import { fastclickSourceDir } from '../../support/fastclickSource';

const PARAMS = join(ROOT, 'test', 'fixtures', 'parameters');

/** name → [positional, mandatory, type, default] */
function table(list: ParameterList | undefined): Record<string, [boolean, boolean, string | null, string | null]> {
  assert.ok(list, 'a parameter list');
  return Object.fromEntries(list.parameters.map((p: ElementParameter) => [p.name, [p.positional, p.mandatory, p.type, p.default]]));
}

describe('parameter index', () => {
  let index: ElementIndex;
  before(async function () {
    this.timeout(20_000);
    index = await ElementIndex.create();
    await index.build([PARAMS]);
  });

  it('reads an Args chain with every read method, its flags, types and defaults', () => {
    const list = index.parameters('ArgsChain')!;
    assert.strictEqual(list.completeness, 'complete', list.reasons.join('; '));
    assert.deepStrictEqual(table(list), {
      DEV: [true, true, 'string', null],
      QUEUE: [true, false, 'integer', '0'],
      ACTIVE: [false, false, 'bool', 'true'],
      BURST: [false, false, 'unsigned', '32'],
      RATIO: [true, false, 'double', '0.5'],
      SRC: [false, false, 'ip', null],
      ETH: [false, true, 'ether', null],
      NEXT: [false, false, 'element', '0'],
      VLAN: [false, false, 'other', null],
      TIMEOUT: [false, true, 'integer', '60'],
      // Read inside `#if HAVE_LEVELS`: the chain is re-read with the conditional lines blanked.
      LEVEL: [false, false, 'integer', '2'],
      MODE: [false, false, 'string', '"fast"'],
      HW: [false, false, 'bool', null],
    });
    // Positional parameters keep the order configure() reads them in.
    assert.deepStrictEqual(
      list.parameters.filter((p) => p.positional).map((p) => p.name),
      ['DEV', 'QUEUE', 'RATIO'],
    );
    const vlan = list.parameters.find((p) => p.name === 'VLAN')!;
    assert.strictEqual(vlan.repeatable, true);
    const dev = list.parameters.find((p) => p.name === 'DEV')!;
    assert.strictEqual(dev.doc, 'String. The device. Mandatory.');
    assert.match(dev.file, /argschain\.cc$/);
    assert.strictEqual(index.text(dev.file)!.split('\n')[dev.line].trim(), '.read_mp("DEV", _dev)');
  });

  it('inherits a base class configure(), follows helpers given conf, and a base configure() called by name', () => {
    const base = index.parameters('BaseRx')!;
    assert.strictEqual(base.completeness, 'complete', base.reasons.join('; '));
    assert.deepStrictEqual(Object.keys(table(base)), ['PORT', 'N_QUEUES', 'VERBOSE']);
    assert.deepStrictEqual(table(base).PORT, [true, true, 'integer', null]);

    const child = index.parameters('ChildRx')!;
    assert.strictEqual(child.completeness, 'complete', child.reasons.join('; '));
    assert.deepStrictEqual(Object.keys(table(child)), ['PROMISC', 'PORT', 'N_QUEUES', 'VERBOSE']);
    assert.deepStrictEqual(table(child).PROMISC, [false, false, 'bool', 'false']);
  });

  it('follows an Args object handed to a helper (parse_tuning(&args))', () => {
    const helper = index.parameters('HelperRx')!;
    assert.strictEqual(helper.completeness, 'complete', helper.reasons.join('; '));
    assert.deepStrictEqual(Object.keys(table(helper)), ['PORT', 'N_QUEUES', 'NDESC', 'VERBOSE']);
    assert.deepStrictEqual(table(helper).NDESC, [false, false, 'unsigned', '256']);
  });

  it('reads legacy cp_va_kparse lists, confirm flags included', () => {
    const list = index.parameters('LegacyShaper')!;
    assert.strictEqual(list.completeness, 'complete', list.reasons.join('; '));
    assert.deepStrictEqual(table(list), {
      RATE: [true, true, 'unsigned', null],
      ADDR: [true, false, 'ip', null],
      STRICT: [false, false, 'bool', 'false'],
      LIMIT: [false, false, 'integer', '-1'],
    });
  });

  it('marks lists partial, with reasons, when conf is read by hand, passed to the unknown, or never completed', () => {
    const patterns = index.parameters('PatternSwitch')!;
    assert.strictEqual(patterns.completeness, 'partial');
    assert.match(patterns.reasons.join('\n'), /by hand: conf\[\.\.\.\]/);
    assert.deepStrictEqual(Object.keys(table(patterns)), ['VERBOSE']);

    const opaque = index.parameters('OpaqueTable')!;
    assert.strictEqual(opaque.completeness, 'partial');
    assert.match(opaque.reasons.join('\n'), /opaque_table_parse\(\), which is not indexed/);

    const lax = index.parameters('LaxCounter')!;
    assert.strictEqual(lax.completeness, 'partial');
    assert.match(lax.reasons.join('\n'), /never checked with complete\(\)/);
  });

  it('marks reads made on some paths only as conditional', () => {
    const list = index.parameters('SocketLike')!;
    assert.strictEqual(list.completeness, 'complete', list.reasons.join('; '));
    assert.deepStrictEqual(
      list.parameters.map((p) => [p.name, p.positional, p.mandatory, !!p.conditional]),
      [
        ['TYPE', true, true, false],
        ['PORT', true, true, true],
        ['FILENAME', true, true, true],
      ],
    );
  });

  it('does not fall back to a base configure() when the class declares its own and it cannot be read', () => {
    const list = index.parameters('Undefined')!;
    assert.strictEqual(list.completeness, 'partial');
    assert.match(list.reasons.join('\n'), /Undefined::configure\(\) is declared but its definition could not be read/);
  });

  it('answers readsKeyword from complete and partial lists', () => {
    assert.strictEqual(readsKeyword(index.parameters('ChildRx'), 'PORT'), true);
    assert.strictEqual(readsKeyword(index.parameters('ChildRx'), 'HASHFUNC'), false);
    assert.strictEqual(readsKeyword(index.parameters('LaxCounter'), 'HASHFUNC'), 'unknown');
    assert.strictEqual(readsKeyword(index.parameters('LaxCounter'), 'VERBOSE'), true);
    assert.strictEqual(readsKeyword(index.parameters('NoSuchElement'), 'PORT'), 'unknown');
  });

  it('forgets a list when the source changes', async () => {
    const own = await ElementIndex.create();
    await own.build([PARAMS]);
    const file = join(PARAMS, 'elements', 'partial.cc');
    const text = own.text(file)!;
    assert.strictEqual(own.parameters('LaxCounter')!.completeness, 'partial');
    await own.updateFile(
      file,
      text.replace(
        'return Args(conf, this, errh).read("VERBOSE", _verbose).consume();',
        'return Args(conf, this, errh).read("VERBOSE", _verbose).read("EXTRA", _verbose).complete();',
      ),
    );
    const after = own.parameters('LaxCounter')!;
    assert.strictEqual(after.completeness, 'complete', after.reasons.join('; '));
    assert.deepStrictEqual(
      after.parameters.map((p) => p.name),
      ['VERBOSE', 'EXTRA'],
    );
  });
});

describe('parameter index on upstream FastClick', function () {
  this.timeout(180_000);
  let dir: string;
  let index: ElementIndex;
  before(async function () {
    this.timeout(180_000);
    dir = fastclickSourceDir();
    index = await ElementIndex.create();
    await index.build([dir]);
  });

  it('FromDPDKDevice: complete, through QueueDevice/RXQueueDevice::parse(conf, errh), without HASHFUNC', () => {
    const list = index.parameters('FromDPDKDevice')!;
    assert.strictEqual(list.completeness, 'complete', list.reasons.join('; '));
    const names = list.parameters.map((p) => p.name);
    for (const k of ['PORT', 'N_QUEUES', 'MAXTHREADS', 'MODE', 'FLOW_RULES_FILE', 'NDESC', 'BURST', 'PROMISC']) assert.ok(names.includes(k), `${k} in ${names.join(' ')}`);
    assert.strictEqual(readsKeyword(list, 'HASHFUNC'), false);
    const port = list.parameters.find((p) => p.name === 'PORT')!;
    assert.deepStrictEqual([port.positional, port.mandatory], [true, true]);
    assert.deepStrictEqual(
      list.parameters
        .filter((p) => p.positional)
        .map((p) => p.name)
        .slice(0, 3),
      ['PORT', 'QUEUE', 'PROMISC'],
    );
    assert.strictEqual(list.parameters.find((p) => p.name === 'BURST')!.default, '32');
    assert.strictEqual(list.parameters.find((p) => p.name === 'PROMISC')!.type, 'bool');
    assert.match(list.parameters.find((p) => p.name === 'N_QUEUES')!.doc ?? '', /queues/i);
  });

  it('Counter, a flow manager and Classifier-style positional elements get sensible lists', () => {
    const counter = index.parameters('Counter')!;
    assert.strictEqual(counter.completeness, 'complete', counter.reasons.join('; '));
    assert.ok(counter.parameters.some((p) => p.name === 'NO_RATE' && p.type === 'bool'));
    const flows = index.parameters('FlowIPManager')!;
    assert.strictEqual(flows.completeness, 'complete', flows.reasons.join('; '));
    assert.deepStrictEqual(
      flows.parameters.filter((p) => p.positional).map((p) => p.name),
      ['CAPACITY'],
    );
    assert.ok(flows.parameters.some((p) => p.name === 'TIMEOUT'));
    // Classifier reads its patterns by hand: partial, so no keyword is ever called unknown.
    const classifier = index.parameters('Classifier')!;
    assert.strictEqual(classifier.completeness, 'partial');
    assert.strictEqual(readsKeyword(classifier, 'ANYTHING'), 'unknown');
  });
});
