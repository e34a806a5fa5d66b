import * as assert from 'node:assert';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ElementIndex } from '../../../server/src/core/cpp/elementIndex';
import { collectScope } from '../../../server/src/core/cpp/scope';
import { buildSlice, sliceLineSource, stripComments } from '../../../server/src/core/cpp/slice';
import { FIXTURES, fixtureElements } from './fixtureIndex';

describe('the code slice of an element', () => {
  it('holds the class, its packet path, its bases and state types, without comments or unrelated members', async () => {
    const index = await fixtureElements();
    const slice = buildSlice(collectScope(index, index.element('IPortScanDetector')!));
    for (const needle of [
      'class IPortScanDetector : public IFlowManager<PSDState>',
      'IPortScanDetector::process(PSDState *state, Packet *p)',
      'return click_hash_u32(p->ip_header()->ip_src.s_addr);',
      'rte_hash_lookup_bulk',
      'class PSDState : public IState',
      'PortNode *next;',
      'class_name() const override { return "IPortScanDetector"; }',
    ]) {
      assert.ok(slice.text.includes(needle), `slice has ${needle}`);
    }
    for (const absent of ['//', '/*', 'configure', 'add_handlers', 'read_flagged', '#include', 'EXPORT_ELEMENT', 'CLICK_COLD', 'int parse(Args', 'initialize(']) {
      assert.ok(!slice.text.includes(absent), `slice has no ${absent}`);
    }
    const files = [
      join(FIXTURES, 'elements', 'flowmage', 'iportscandetector.hh'),
      join(FIXTURES, 'elements', 'flowmage', 'iportscandetector.cc'),
      join(FIXTURES, 'include', 'click', 'iflowmanager.hh'),
    ];
    const fullSize = files.reduce((n, f) => n + readFileSync(f, 'utf8').length, 0);
    assert.ok(slice.chars < fullSize / 2, `slice (${slice.chars}) is less than half of the files (${fullSize})`);
    assert.match(slice.hash, /^sha256:[0-9a-f]{64}$/);
  });

  it('maps every slice line back to its file and line', async () => {
    const index = await fixtureElements();
    const slice = buildSlice(collectScope(index, index.element('IPolicer')!));
    const lines = slice.text.split('\n');
    let mapped = 0;
    lines.forEach((text, i) => {
      const src = sliceLineSource(slice, i);
      if (!text.trim()) return assert.strictEqual(src, undefined);
      assert.ok(src, `line ${i} maps back`);
      assert.strictEqual(readFileSync(src!.file, 'utf8').split('\n')[src!.line].replace(/\s+$/, ''), stripComments(text).replace(/\s+$/, '') || text);
      mapped++;
    });
    assert.ok(mapped > 20);
  });

  it('keeps its hash when only comments or unrelated code change, and changes it when the packet path does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowmage-slice-'));
    try {
      cpSync(FIXTURES, dir, { recursive: true });
      const index = await ElementIndex.create();
      await index.build([dir]);
      const hash = () => buildSlice(collectScope(index, index.element('IPolicer')!)).hash;
      const before = hash();
      const cc = join(dir, 'elements', 'flowmage', 'ipolicer.cc');
      const text = readFileSync(cc, 'utf8');
      writeFileSync(
        cc,
        text.replace('// ICMP is only dropped', '// a different comment: ICMP is only dropped').replace('_template.assign(rate, burst);', '_template.assign(rate, burst * 2);'),
      );
      await index.updateFile(cc);
      assert.strictEqual(hash(), before, 'comments and configure() are not in the slice');
      writeFileSync(cc, text.replace('state->dropped++;', 'state->dropped += 2;'));
      await index.updateFile(cc);
      assert.notStrictEqual(hash(), before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('strips comments but not strings', () => {
    assert.strictEqual(stripComments('a // x\nb /* y\nz */ c "// not" \'/\''), 'a \nb \n c "// not" \'/\'');
  });
});
