import * as assert from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETTINGS, defaultSettings, manifestProperties, readSettings, restrictedSettings } from '../../server/src/core/settings';

const ROOT = join(__dirname, '..', '..', '..');

describe('settings', () => {
  it('package.json declares exactly the settings the server defines (run npm run sync:settings)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.deepStrictEqual(pkg.contributes.configuration.properties, manifestProperties());
  });

  it('package.json restricts in untrusted workspaces exactly the settings marked restricted, the store path among them', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.deepStrictEqual(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations, restrictedSettings());
    assert.ok(restrictedSettings().includes('flowmage.store.path'), 'a cloned repository must not choose where the server writes');
  });

  it('every setting has a markdown description and a default of its type', () => {
    for (const [key, spec] of Object.entries(SETTINGS)) {
      assert.ok(key.startsWith('flowmage.'), key);
      assert.ok(spec.markdownDescription.length > 20, `${key} is described`);
      assert.deepStrictEqual(readSettings({})[key as keyof typeof SETTINGS], spec.default);
    }
  });

  it('reads nested objects as VS Code sends them and flat keys', () => {
    assert.strictEqual(readSettings({ log: { level: 'debug' } })['flowmage.log.level'], 'debug');
    assert.strictEqual(readSettings({ 'flowmage.log.level': 'warn' })['flowmage.log.level'], 'warn');
  });

  it('falls back to the default for a wrong value and says why', () => {
    const problems: string[] = [];
    const s = readSettings({ log: { level: 'loud' } }, problems);
    assert.strictEqual(s['flowmage.log.level'], defaultSettings()['flowmage.log.level']);
    assert.strictEqual(problems.length, 1);
    assert.match(problems[0], /flowmage\.log\.level/);
  });
});
