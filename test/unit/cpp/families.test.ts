// Families of elements (core/cpp/families.ts) are worked out once per element table: a
// configuration's analysis asks for each element's family on every edit, and each one compares the
// element with every other. A change to the tree builds the table again, and the families with it.
import * as assert from 'node:assert';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ElementIndex } from '../../../server/src/core/cpp/elementIndex';
import { familyOf } from '../../../server/src/core/cpp/families';

const FIXTURES = resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'elements');

describe('element families', function () {
  this.timeout(30_000);
  let root: string;

  beforeEach(() => {
    root = join(mkdtempSync(join(tmpdir(), 'flowmage-families-')), 'tree');
    cpSync(FIXTURES, root, { recursive: true });
  });

  afterEach(() => rmSync(join(root, '..'), { recursive: true, force: true }));

  it('are worked out once per element table, and again once a file changes', async () => {
    const index = await ElementIndex.create();
    await index.build([root]);
    const before = familyOf(index, 'IPolicer');
    assert.ok(!before.some((m) => m.clickName === 'IPolicerMP'));
    assert.strictEqual(familyOf(index, 'IPolicer'), before, 'the same answer, not worked out again');

    // A variant appears (same stem, derived): IPolicer's family has it.
    const header = join(root, 'elements', 'flowmage', 'ipolicermp.hh');
    writeFileSync(header, '#include "ipolicer.hh"\nclass IPolicerMP : public IPolicer { public:\n    const char *class_name() const override { return "IPolicerMP"; }\n};\n');
    const source = join(root, 'elements', 'flowmage', 'ipolicermp.cc');
    writeFileSync(source, '#include "ipolicermp.hh"\nEXPORT_ELEMENT(IPolicerMP)\n');
    await index.updateFile(header);
    await index.updateFile(source);
    const after = familyOf(index, 'IPolicer');
    assert.notStrictEqual(after, before);
    assert.deepStrictEqual(
      after.filter((m) => m.clickName === 'IPolicerMP'),
      [{ clickName: 'IPolicerMP', relation: 'same name stem IPolicer' }],
    );
    assert.ok(familyOf(index, 'IPolicerMP').some((m) => m.clickName === 'IPolicer'));
  });
});
