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
    }
    // Read independently of settings.ts: each default package.json declares satisfies the schema
    // beside it, and the server accepts it as given.
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const properties = pkg.contributes.configuration.properties as Record<string, Schema & { default: unknown }>;
    assert.ok(Object.keys(properties).length >= 10);
    for (const [key, schema] of Object.entries(properties)) {
      assert.ok('default' in schema, `${key} has a default`);
      assert.deepStrictEqual(violations(schema, schema.default, key), [], `${key}'s default`);
      const problems: string[] = [];
      assert.deepStrictEqual(readSettings({ [key]: schema.default }, problems)[key as keyof typeof SETTINGS], schema.default, key);
      assert.deepStrictEqual(problems, [], key);
    }
  });

  it('the schema check used above rejects defaults that break their schema', () => {
    assert.deepStrictEqual(violations({ type: 'string', enum: ['a', 'b'] }, 'c', 'k'), ['k: "c" is not one of a, b']);
    assert.deepStrictEqual(violations({ type: 'integer', minimum: 1 }, 0.5, 'k'), ['k: 0.5 is not an integer']);
    assert.deepStrictEqual(violations({ type: 'number', minimum: 1 }, 0, 'k'), ['k: 0 is below 1']);
    assert.deepStrictEqual(violations({ type: 'array', items: { type: 'array', items: { type: 'string' } } }, [['x'], [1]], 'k'), ['k[1][0]: expected string']);
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

interface Schema {
  type?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  items?: Schema;
}

/** A small JSON-schema reader for the keywords package.json's settings use, written apart from settings.ts. */
function violations(schema: Schema, value: unknown, at: string): string[] {
  const types: Record<string, (v: unknown) => boolean> = {
    string: (v) => typeof v === 'string',
    boolean: (v) => typeof v === 'boolean',
    number: (v) => typeof v === 'number' && Number.isFinite(v),
    integer: (v) => typeof v === 'number' && Number.isInteger(v),
    array: Array.isArray,
    object: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  };
  if (schema.type) {
    const is = types[schema.type];
    if (!is) return [`${at}: unknown type ${schema.type}`];
    if (!is(value)) return [schema.type === 'integer' && typeof value === 'number' ? `${at}: ${value} is not an integer` : `${at}: expected ${schema.type}`];
  }
  const out: string[] = [];
  if (schema.enum && !schema.enum.includes(value)) out.push(`${at}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`);
  if (typeof value === 'number' && schema.minimum !== undefined && value < schema.minimum) out.push(`${at}: ${value} is below ${schema.minimum}`);
  if (typeof value === 'number' && schema.maximum !== undefined && value > schema.maximum) out.push(`${at}: ${value} is above ${schema.maximum}`);
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => out.push(...violations(schema.items!, v, `${at}[${i}]`)));
  return out;
}
