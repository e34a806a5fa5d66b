import * as assert from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ElementFeatures } from '../../../server/src/core/analysis/features';
import { FeatureStore } from '../../../server/src/core/store/featureStore';
import { STORE_SCHEMA, STORE_VERSION } from '../../../server/src/core/store/schema';

function features(file: string): ElementFeatures {
  return {
    stateful: true,
    flowKey: ['src_ip'],
    intensity: 'per-packet',
    pointerChasing: false,
    stateObjects: [{ name: '_t', type: 'HashMap<IPAddress,int>', file, line: 3, keyFields: ['src_ip'], writes: 'per-packet', pointers: false }],
    evidence: [{ feature: 'flowKey', file, line: 4, column: 2, endLine: 4, endColumn: 8, reason: '`ip_src` read in `push`' }],
    confidence: 'high',
    unknown: [],
  };
}

describe('the feature store', () => {
  let ws: string;
  let file: string;
  beforeEach(() => {
    ws = mkdtempSync(join(tmpdir(), 'flowmage-store-'));
    file = join(ws, '.flowmage', 'features.json');
  });
  afterEach(() => rmSync(ws, { recursive: true, force: true }));

  const meta = (src: string) => ({ className: 'A', files: [src], sliceHash: 'sha256:1', sliceChars: 10 });

  it('writes a versioned file with paths relative to the workspace and reads it back', async () => {
    const src = join(ws, 'elements', 'a.hh');
    const store = await FeatureStore.open(file);
    store.put('A', meta(src), 'static', { features: features(src), analyzedAt: '2024-01-01T00:00:00.000Z', sliceHash: 'sha256:1', analyzerVersion: 1 });
    await store.save();
    const raw = JSON.parse(readFileSync(file, 'utf8'));
    assert.strictEqual(raw.schema, STORE_SCHEMA);
    assert.strictEqual(raw.version, STORE_VERSION);
    assert.deepStrictEqual(raw.elements.A.files, ['elements/a.hh']);
    assert.strictEqual(raw.elements.A.sources.static.features.evidence[0].file, 'elements/a.hh');
    const again = await FeatureStore.open(file);
    assert.deepStrictEqual(again.source('A', 'static')!.features, features(src));
    assert.deepStrictEqual(again.entry('A')!.files, [src]);
    assert.deepStrictEqual(readdirSync(join(ws, '.flowmage')), ['features.json'], 'no temporary file is left');
  });

  it('keeps LLM sources and comparisons beside static ones', async () => {
    const src = join(ws, 'a.hh');
    const store = await FeatureStore.open(file);
    store.put('A', meta(src), 'static', { features: features(src), analyzedAt: 'x', sliceHash: 'sha256:1' });
    store.put('A', meta(src), 'llm:gpt-4o', {
      features: { stateful: true, flowKey: ['src_ip'], intensity: 'per-packet', pointerChasing: true },
      analyzedAt: 'y',
      sliceHash: 'sha256:1',
      model: 'gpt-4o',
      promptTokens: 7164,
      completionTokens: 80,
    });
    store.putComparison({ a: 'B', b: 'A', model: 'gpt-4o', moreComplex: 'A', sliceHashes: ['sha256:2', 'sha256:1'], at: 'z' });
    await store.save();
    const again = await FeatureStore.open(file);
    assert.deepStrictEqual(Object.keys(again.entry('A')!.sources).sort(), ['llm:gpt-4o', 'static']);
    assert.strictEqual(again.source('A', 'llm:gpt-4o')!.promptTokens, 7164);
    assert.strictEqual(again.comparison('gpt-4o', 'A', 'B')!.moreComplex, 'A');
  });

  it('sets a corrupt store (cut short) aside with a warning and starts empty, never overwriting it silently', async () => {
    mkdirSync(join(ws, '.flowmage'));
    const cut = `{\n  "schema": "${STORE_SCHEMA}",\n  "version": 1,\n  "elements": {\n    "A": {`;
    writeFileSync(file, cut);
    const store = await FeatureStore.open(file);
    assert.strictEqual(store.names().length, 0);
    assert.match(store.warnings[0], /not valid JSON.*moved it to .*features\.json\.corrupt-/);
    const aside = readdirSync(join(ws, '.flowmage')).find((f) => f.startsWith('features.json.corrupt-'))!;
    assert.strictEqual(readFileSync(join(ws, '.flowmage', aside), 'utf8'), cut);
    assert.ok(!existsSync(file));
  });

  it('sets aside a file from a newer FlowMage', async () => {
    mkdirSync(join(ws, '.flowmage'));
    writeFileSync(file, JSON.stringify({ schema: STORE_SCHEMA, version: STORE_VERSION + 1, elements: {} }));
    const store = await FeatureStore.open(file);
    assert.match(store.warnings[0], /written by a newer FlowMage/);
    assert.ok(readdirSync(join(ws, '.flowmage')).some((f) => f.startsWith(`features.json.v${STORE_VERSION + 1}-`)));
  });

  it('drops malformed entries but keeps the good ones', async () => {
    mkdirSync(join(ws, '.flowmage'));
    const good = { className: 'A', files: [], sliceHash: 'h', sliceChars: 1, updatedAt: 'x', sources: { static: { features: features('a.hh'), analyzedAt: 'x', sliceHash: 'h' } } };
    writeFileSync(file, JSON.stringify({ schema: STORE_SCHEMA, version: STORE_VERSION, elements: { A: good, B: { className: 3 } }, comparisons: {} }));
    const store = await FeatureStore.open(file);
    assert.deepStrictEqual(store.names(), ['A']);
    assert.match(store.warnings.join('\n'), /malformed entry for B/);
  });

  it('serializes concurrent saves into a valid file', async () => {
    const store = await FeatureStore.open(file);
    const saves: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      store.put(`E${i}`, meta(join(ws, `e${i}.hh`)), 'static', { features: features(join(ws, `e${i}.hh`)), analyzedAt: 'x', sliceHash: 'sha256:1' });
      saves.push(store.save());
    }
    await Promise.all(saves);
    const raw = JSON.parse(readFileSync(file, 'utf8'));
    assert.strictEqual(Object.keys(raw.elements).length, 20);
    assert.deepStrictEqual(readdirSync(join(ws, '.flowmage')), ['features.json']);
  });

  it('stays dirty when a change lands while a save is writing, so the next save keeps it', async () => {
    const src = join(ws, 'a.hh');
    const store = await FeatureStore.open(file);
    const put = (n: number) => store.put('A', { ...meta(src), sliceHash: `sha256:${n}` }, 'static', { features: features(src), analyzedAt: String(n), sliceHash: `sha256:${n}` });
    put(0);
    let done = false;
    const first = store.save().then(() => (done = true));
    // Change the entry on every turn of the event loop while the save runs: some changes land after it serialized.
    let last = 0;
    while (!done) {
      await new Promise((r) => setImmediate(r));
      if (!done) put(++last);
    }
    await first;
    assert.ok(last > 0);
    const written = JSON.parse(readFileSync(file, 'utf8')).elements.A.sliceHash;
    assert.ok(written === `sha256:${last}` || store.isDirty, `the save wrote ${written} but the last change was ${last}, and the store says it is clean`);
    await store.save();
    assert.strictEqual(JSON.parse(readFileSync(file, 'utf8')).elements.A.sliceHash, `sha256:${last}`);
    assert.strictEqual(store.isDirty, false);
  });

  it('merges what another process wrote meanwhile instead of dropping it', async () => {
    const mine = await FeatureStore.open(file);
    const theirs = await FeatureStore.open(file);
    theirs.put('T', meta(join(ws, 't.hh')), 'llm:m', {
      features: { stateful: false, flowKey: [], intensity: null, pointerChasing: false },
      analyzedAt: 'x',
      sliceHash: 'sha256:1',
    });
    await theirs.save();
    mine.put('M', meta(join(ws, 'm.hh')), 'static', { features: features(join(ws, 'm.hh')), analyzedAt: 'x', sliceHash: 'sha256:1' });
    await mine.save();
    assert.deepStrictEqual(Object.keys(JSON.parse(readFileSync(file, 'utf8')).elements).sort(), ['M', 'T']);
  });

  it('never writes when it lives in memory', async () => {
    const store = FeatureStore.memory(ws);
    store.put('A', meta(join(ws, 'a.hh')), 'static', { features: features(join(ws, 'a.hh')), analyzedAt: 'x', sliceHash: 'sha256:1' });
    await store.save();
    assert.ok(!existsSync(join(ws, '.flowmage')));
    assert.strictEqual(store.source('A', 'static')!.features.flowKey[0], 'src_ip');
  });
});
