import * as assert from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settingLeaves } from '../../server/src/core/settings';

const ROOT = join(__dirname, '..', '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

describe('README stays true', () => {
  it("documents every setting in its table, with the schema's default", () => {
    for (const { id: key, schema } of settingLeaves()) {
      const row = new RegExp(`^\\| \`${key.replace(/\./g, '\\.')}\` \\| \`([^\`]*)\` \\|`, 'm').exec(README);
      assert.ok(row, `${key} is in the README's settings table`);
      const d = schema.default;
      assert.strictEqual(row[1], typeof d === 'string' && d !== '' ? d : JSON.stringify(d), `${key}'s default in the README`);
    }
  });

  it('gives the two newcomer commands, and they exist', () => {
    assert.ok(README.includes('npm ci && npm run build && npm run demo'));
    assert.ok(README.includes('\nnpm test\n'));
    for (const script of ['build', 'demo', 'test', 'package', 'bench', 'watch', 'test:electron']) assert.ok(pkg.scripts[script], `npm run ${script} exists`);
  });

  it('names every command the extension contributes', () => {
    for (const c of pkg.contributes.commands as Array<{ title: string }>) assert.ok(README.includes(c.title), `${c.title} is mentioned`);
  });
});
