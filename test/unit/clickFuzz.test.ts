// Mutated configurations (deleted, duplicated and swapped tokens, random bytes, a 1 MB file, deep
// nesting) must never crash or hang the parser or the model, and the model must stay coherent.
import * as assert from 'node:assert';
import { ClickDocument, parseClick } from '../../server/src/core/click/clickDocument';
import { CLICK_PROBLEM_CODES, type ConfigModel } from '../../server/src/core/click/model';
import { LineIndex, type SourceRange } from '../../server/src/core/text';
import { fixture, fixtureNames, seeded } from './clickHelpers';

/** Every range in the model lies inside the text. */
function assertCoherent(model: ConfigModel, label: string): void {
  const check = (r: SourceRange, what: string) => {
    assert.ok(r.startOffset >= 0 && r.startOffset <= r.endOffset && r.endOffset <= model.text.length, `${label}: ${what} offsets ${r.startOffset}-${r.endOffset}`);
  };
  for (const p of model.problems) {
    check(p.range, `problem "${p.message}"`);
    assert.ok(p.message.length > 0 && !/ERROR|MISSING/.test(p.message), `${label}: message "${p.message}"`);
    assert.ok((CLICK_PROBLEM_CODES as readonly string[]).includes(p.code), `${label}: code ${p.code} is listed in CLICK_PROBLEM_CODES`);
  }
  for (const e of model.elements) {
    check(e.declarationRange, `element ${e.name}`);
    for (const a of e.config?.args ?? []) {
      check(a.valueRange, `argument of ${e.name}`);
      assert.strictEqual(model.text.slice(a.valueRange.startOffset, a.valueRange.endOffset), a.value);
    }
  }
  for (const r of model.references) {
    check(r.range, `reference ${r.name}`);
    assert.strictEqual(model.text.slice(r.range.startOffset, r.range.endOffset), r.name);
  }
}

/** Rough tokens of a text: words, arrows, punctuation, whitespace runs. */
function tokens(text: string): string[] {
  return text.match(/[A-Za-z0-9_@/$.]+|->|=>|::|\|\||\s+|./gs) ?? [];
}

function mutate(text: string, rnd: () => number): string {
  const t = tokens(text);
  const i = Math.floor(rnd() * t.length);
  const j = Math.floor(rnd() * t.length);
  switch (Math.floor(rnd() * 5)) {
    case 0:
      t.splice(i, 1 + Math.floor(rnd() * 3));
      break;
    case 1:
      t.splice(i, 0, ...t.slice(i, i + 1 + Math.floor(rnd() * 3)));
      break;
    case 2:
      [t[i], t[j]] = [t[j], t[i]];
      break;
    case 3: {
      let bytes = '';
      for (let k = 0; k < 1 + rnd() * 8; k++) bytes += String.fromCharCode(Math.floor(rnd() * 0x3000));
      t.splice(i, 0, bytes);
      break;
    }
    default:
      return text.slice(0, Math.floor(rnd() * text.length));
  }
  return t.join('');
}

describe('Click parser under fuzzing', () => {
  it('survives token mutations of every fixture with a coherent model', async function () {
    this.timeout(120_000);
    const rnd = seeded(42);
    const files = [...fixtureNames('valid').map((f) => fixture('valid', f)), ...fixtureNames('broken').map((f) => fixture('broken', f))];
    let runs = 0;
    for (const base of files) {
      let text = base;
      for (let k = 0; k < 40; k++) {
        text = rnd() < 0.3 ? mutate(base, rnd) : mutate(text, rnd);
        const model = await parseClick(text);
        assertCoherent(model, `mutation ${runs}`);
        runs++;
      }
    }
    assert.ok(runs >= 300);
  });

  it('survives random bytes, incrementally too', async function () {
    this.timeout(60_000);
    const rnd = seeded(5);
    const doc = await ClickDocument.create('');
    try {
      for (let k = 0; k < 50; k++) {
        let junk = '';
        const n = Math.floor(rnd() * 400);
        for (let i = 0; i < n; i++) junk += String.fromCharCode(rnd() < 0.8 ? 32 + Math.floor(rnd() * 95) : Math.floor(rnd() * 0xffff));
        const model = doc.setText(junk);
        assertCoherent(model, `junk ${k}`);
        assert.deepStrictEqual(JSON.parse(JSON.stringify(model)), JSON.parse(JSON.stringify(await parseClick(junk))));
      }
    } finally {
      doc.dispose();
    }
  });

  it('parses a 1 MB configuration and keeps up with an edit in its middle', async function () {
    this.timeout(120_000);
    const chunk = fixture('valid', 'l3-forwarder.click').replace(/\b(fd0|fd1|td0|td1|c0|c1|arpq0|arpq1|rt|drops)\b/g, '$1_N');
    let text = '';
    for (let i = 0; text.length < 1_000_000; i++) text += chunk.replace(/_N\b/g, `_${i}`);
    const doc = await ClickDocument.create(text);
    try {
      assert.ok(doc.model.elements.length > 10_000, `${doc.model.elements.length} elements`);
      assert.deepStrictEqual(doc.model.problems, []);
      const lines = new LineIndex(text);
      const middle = text.indexOf('BURST 32', text.length >> 1) + 6;
      doc.applyChanges([{ range: { start: lines.position(middle), end: lines.position(middle + 2) }, text: '64' }]);
      assert.strictEqual(doc.lastUpdate, 'relinked-statement');
      assertCoherent(doc.model, '1 MB');
    } finally {
      doc.dispose();
    }
  });

  it('does not overflow the stack on deep nesting, and says why it stopped', async () => {
    for (const text of [
      'a :: Idle; a -> ' + '('.repeat(20_000) + ')'.repeat(20_000) + ' -> a',
      'x :: ' + '{'.repeat(20_000) + '}'.repeat(20_000),
      '('.repeat(50_000),
      '['.repeat(50_000),
    ]) {
      const model = await parseClick(text);
      assert.ok(model.problems.length >= 1);
      assertCoherent(model, text.slice(0, 20));
    }
  });
});
