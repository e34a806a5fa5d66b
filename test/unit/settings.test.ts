import * as assert from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FLOW_FIELDS } from '../../server/src/core/analysis/features';
import { REWRITE_TARGETS } from '../../server/src/core/rewrite/deployTarget';
import Ajv from 'ajv';
import {
  ANNOTATIONS,
  defaultSettings,
  manifestProperties,
  readSettings,
  readSettingsLayers,
  restrictedSettings,
  settingLeaves,
  SETTINGS_SCHEMA,
  unknownSettingKeys,
} from '../../server/src/core/settings';
import { NIC_PROFILES } from '../../server/src/core/solver/candidates';

const ROOT = join(__dirname, '..', '..', '..');

describe('settings', () => {
  it('package.json declares exactly the settings the schema defines (run npm run sync:settings)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.deepStrictEqual(pkg.contributes.configuration.properties, manifestProperties());
    // The order too: it is the order of VS Code's settings UI.
    assert.deepStrictEqual(
      Object.keys(pkg.contributes.configuration.properties),
      settingLeaves().map((l) => l.id),
    );
  });

  it('package.json restricts in untrusted workspaces exactly the settings marked restricted, the store path among them', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    assert.deepStrictEqual(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations, restrictedSettings());
    assert.ok(restrictedSettings().includes('flowmage.store.path'), 'a cloned repository must not choose where the server writes');
  });

  it('every setting has a markdown description and a default its own schema accepts', () => {
    for (const { id, schema } of settingLeaves()) {
      assert.match(id, /^flowmage\.[a-zA-Z.]+$/);
      assert.ok(schema.markdownDescription.length > 20, `${id} is described`);
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
      assert.deepStrictEqual(at(readSettings({ [key]: schema.default }, problems), key), schema.default, key);
      assert.deepStrictEqual(problems, [], key);
    }
  });

  it('accepts a non-default value of every setting and rejects a wrong one (the validator is not a rubber stamp)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const properties = pkg.contributes.configuration.properties as Record<string, Schema & { default: unknown }>;
    for (const [key, schema] of Object.entries(properties)) {
      const other = otherValidValue(schema);
      if (other !== undefined) {
        const problems: string[] = [];
        assert.deepStrictEqual(at(readSettings({ [key]: other }, problems), key), other, `${key} takes ${JSON.stringify(other)}`);
        assert.deepStrictEqual(problems, [], key);
      }
      const wrong = schema.type === 'string' ? 42 : 'not-a-value';
      const problems: string[] = [];
      assert.deepStrictEqual(at(readSettings({ [key]: wrong }, problems), key), schema.default, `${key} falls back to its default`);
      assert.strictEqual(problems.length, 1, key);
      assert.ok(problems[0].includes(key), problems[0]);
    }
  });

  it('every setting schema is a valid JSON schema with no unknown keyword (checked here, not at every start)', () => {
    const ajv = new Ajv({ strict: true, validateSchema: true });
    ajv.addVocabulary(ANNOTATIONS);
    for (const { id, schema } of settingLeaves()) assert.doesNotThrow(() => ajv.compile(schema), id);
    // The check is not a rubber stamp: a misspelt keyword or a wrong type name is refused.
    assert.throws(() => ajv.compile({ type: 'number', minimun: 0, default: 1 }), /unknown keyword/);
    assert.throws(() => ajv.compile({ type: 'int', default: 1 }), /schema is invalid/);
  });

  it('the schema check used above rejects defaults that break their schema', () => {
    assert.deepStrictEqual(violations({ type: 'string', enum: ['a', 'b'] }, 'c', 'k'), ['k: "c" is not one of a, b']);
    assert.deepStrictEqual(violations({ type: 'integer', minimum: 1 }, 0.5, 'k'), ['k: 0.5 is not an integer']);
    assert.deepStrictEqual(violations({ type: 'number', minimum: 1 }, 0, 'k'), ['k: 0 is below 1']);
    assert.deepStrictEqual(violations({ type: 'array', items: { type: 'array', items: { type: 'string' } } }, [['x'], [1]], 'k'), ['k[1][0]: expected string']);
  });

  it('reads nested objects as VS Code sends them, flat ids as settings.json holds them, and a mix', () => {
    assert.strictEqual(readSettings({ log: { level: 'debug' } }).log.level, 'debug');
    assert.strictEqual(readSettings({ 'flowmage.log.level': 'warn' }).log.level, 'warn');
    assert.strictEqual(readSettings({ flowmage: { log: { level: 'error' } } }).log.level, 'error');
    const mixed = readSettings({ 'flowmage.solver': { 'weights.perFlow': 3 }, solver: { weights: { perPacket: 9 } } });
    assert.deepStrictEqual(mixed.solver.weights, { perPacket: 9, perFlow: 3, pointerChasingFactor: defaultSettings().solver.weights.pointerChasingFactor });
  });

  it('falls back to the default for a wrong value and says why, item by item', () => {
    const problems: string[] = [];
    const s = readSettings(
      { log: { level: 'loud' }, solver: { customFieldSets: [['src_ip'], ['dst_mac']], weights: { perPacket: -1 } }, llm: { samples: 2.5, model: '  ' } },
      problems,
    );
    assert.deepStrictEqual(s.log.level, defaultSettings().log.level);
    assert.deepStrictEqual(s.solver.customFieldSets, []);
    assert.strictEqual(s.solver.weights.perPacket, defaultSettings().solver.weights.perPacket);
    assert.strictEqual(s.llm.samples, 1);
    assert.strictEqual(s.llm.model, defaultSettings().llm.model, 'a blank model is not sent to the endpoint');
    assert.strictEqual(problems.length, 5, problems.join('\n'));
    assert.match(problems[0], /flowmage\.log\.level .*"loud" \(must be one of "error", "warn", "info", "debug"\); using the default "info"/);
    assert.match(problems[1], /flowmage\.solver\.customFieldSets .*at \/1\/0: must be one of "src_ip"/);
    assert.match(problems[2], /flowmage\.solver\.weights\.perPacket .*must be >= 0/);
    assert.match(problems[3], /flowmage\.llm\.model .*must not be blank/);
    assert.match(problems[4], /flowmage\.llm\.samples .*must be integer/);
  });

  it('never throws on hostile input', () => {
    for (const raw of [
      null,
      undefined,
      42,
      'x',
      [],
      [1, 2],
      { log: null },
      { log: 'x' },
      { __proto__: { log: { level: 'debug' } } },
      JSON.parse('{"__proto__": {"log": {"level": "debug"}}}'),
    ]) {
      const problems: string[] = [];
      assert.deepStrictEqual(readSettings(raw as unknown, problems), defaultSettings(), JSON.stringify(raw));
    }
  });

  it('takes each setting from the highest layer that sets it', () => {
    const problems: string[] = [];
    const s = readSettingsLayers(
      [
        { name: 'flags', values: { solver: { nicProfile: 'ice' } } },
        { name: 'config.json', values: { solver: { nicProfile: 'mlx5', weights: { perFlow: 2 } }, rewrite: { target: 'nope' } } },
        { name: 'settings.json', values: { 'flowmage.solver.weights.perFlow': 7, 'flowmage.rewrite.target': 'fastclick', 'flowmage.llm.model': 'm' } },
      ],
      problems,
    );
    assert.strictEqual(s.solver.nicProfile, 'ice');
    assert.strictEqual(s.solver.weights.perFlow, 2);
    assert.strictEqual(s.llm.model, 'm');
    assert.strictEqual(s.rewrite.target, 'auto', 'an invalid value takes the default, not a lower layer');
    assert.strictEqual(problems.length, 1);
    assert.match(problems[0], /flowmage\.rewrite\.target in config\.json has an invalid value "nope"/);
  });

  it('names the keys that are no setting', () => {
    assert.deepStrictEqual(
      unknownSettingKeys({ solver: { nicProfil: 'ice', weights: { perFlow: 1, x: 2 } }, 'flowmage.llm.modle': 'm', 'flowmage.llm.model': 'm', sourcePaths: [], index: 3 }),
      ['flowmage.solver.nicProfil', 'flowmage.solver.weights.x', 'flowmage.llm.modle'],
    );
  });

  it('derives the enums from the core vocabularies instead of repeating them', () => {
    const p = SETTINGS_SCHEMA.properties;
    assert.strictEqual(p.solver.properties.nicProfile.enum, NIC_PROFILES);
    assert.strictEqual(p.solver.properties.nicProfile.enumDescriptions.length, NIC_PROFILES.length);
    assert.strictEqual(p.solver.properties.customFieldSets.items.items.enum, FLOW_FIELDS);
    assert.strictEqual(p.rewrite.properties.target.enum, REWRITE_TARGETS);
  });
});

/** The value at a setting id in the nested settings. */
function at(settings: unknown, id: string): unknown {
  return id
    .replace(/^flowmage\./, '')
    .split('.')
    .reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], settings);
}

/** A value other than the default that the schema allows (undefined when none is simple to make). */
function otherValidValue(schema: Schema & { default: unknown }): unknown {
  if (schema.enum) return schema.enum.find((v) => v !== schema.default);
  if (schema.type === 'boolean') return !schema.default;
  if (schema.type === 'integer' || schema.type === 'number') {
    const v = (schema.default as number) + 1;
    return schema.maximum !== undefined && v > schema.maximum ? (schema.default as number) - 1 : v;
  }
  if (schema.type === 'string') return 'Other';
  if (schema.type === 'array') return schema.items?.type === 'string' ? ['a'] : schema.items?.items?.enum ? [[schema.items.items.enum[0]]] : undefined;
  if (schema.type === 'object') return { id: 'x' };
  return undefined;
}

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
