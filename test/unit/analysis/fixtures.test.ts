import * as assert from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeElement } from '../../../server/src/core/analysis/analyzeElement';
import type { ElementFeatures } from '../../../server/src/core/analysis/features';
import { FIXTURES, fixtureElements } from '../cpp/fixtureIndex';

interface ExpectedEvidence {
  feature: string;
  file?: string;
  text: string;
}

interface Expected {
  stateful: boolean;
  flowKey: string[];
  otherKeyFields?: string[];
  bidirectional?: boolean;
  fragments?: boolean;
  intensity: string | null;
  pointerChasing: boolean;
  confidence: string;
  unknown: string[];
  stateObjects: Array<{ name: string; keyFields: string[]; writes: string; pointers: boolean }>;
  evidence: ExpectedEvidence[];
  notEvidence?: ExpectedEvidence[];
}

const expected: Record<string, Expected> = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8'));
delete (expected as Record<string, unknown>).$comment;

function lineOf(file: string, line: number): string {
  return readFileSync(file, 'utf8').split('\n')[line] ?? '';
}

describe('static analysis of the fixture elements (test/fixtures/elements/expected.json)', () => {
  const results = new Map<string, ElementFeatures>();

  before(async () => {
    const index = await fixtureElements();
    for (const e of index.elements()) results.set(e.clickName, analyzeElement(index, e).features);
  });

  it('finds exactly the elements the fixtures define', () => {
    assert.deepStrictEqual([...results.keys()].sort(), Object.keys(expected).sort());
  });

  for (const [name, want] of Object.entries(expected)) {
    describe(name, () => {
      const got = () => results.get(name)!;

      it(`is ${want.stateful ? `stateful, keyed by ${want.flowKey.join(' ') || 'an undecided key'}, ${want.intensity}${want.pointerChasing ? ', pointer chasing' : ''}` : 'stateless'}`, () => {
        const f = got();
        assert.deepStrictEqual(
          { stateful: f.stateful, flowKey: f.flowKey, intensity: f.intensity, pointerChasing: f.pointerChasing },
          { stateful: want.stateful, flowKey: want.flowKey, intensity: want.intensity, pointerChasing: want.pointerChasing },
        );
      });

      it(`has confidence ${want.confidence} and leaves ${want.unknown.join(', ') || 'nothing'} undecided`, () => {
        assert.strictEqual(got().confidence, want.confidence);
        assert.deepStrictEqual(got().unknown, want.unknown);
      });

      it(`is ${want.bidirectional ? '' : 'not '}bidirectional and ${want.fragments ? 'handles' : 'does not handle'} IP fragments`, () => {
        assert.strictEqual(!!got().bidirectional, !!want.bidirectional);
        assert.strictEqual(!!got().fragments, !!want.fragments);
      });

      it(`records ${want.otherKeyFields?.join(' ') || 'no'} key fields outside the 5-tuple`, () => {
        assert.deepStrictEqual(got().otherKeyFields ?? [], want.otherKeyFields ?? []);
        for (const o of got().stateObjects) for (const x of o.otherKeyFields ?? []) assert.ok(want.otherKeyFields?.includes(x), `${o.name}: ${x}`);
      });

      it('lists its state objects', () => {
        const objects = got().stateObjects.map((o) => ({ name: o.name, keyFields: o.keyFields, writes: o.writes, pointers: o.pointers }));
        assert.deepStrictEqual(objects, want.stateObjects);
        for (const o of got().stateObjects)
          assert.ok(
            lineOf(o.file, o.line).includes(o.name.split(' / ')[0].replace(/^flow state \((\w+)\)$/, 'FlowStateElement')) || lineOf(o.file, o.line).includes(o.type),
            `${o.name} declared at ${o.file}:${o.line + 1}`,
          );
      });

      it('points its evidence at the right lines', () => {
        const f = got();
        for (const e of f.evidence) {
          assert.ok(e.reason.length > 10 && !e.reason.includes('\n'), `one-line reason: ${e.reason}`);
          assert.ok(e.line <= e.endLine, 'range is ordered');
        }
        for (const w of want.evidence) {
          const hit = f.evidence.find((e) => e.feature === w.feature && (!w.file || e.file === join(FIXTURES, w.file)) && lineOf(e.file, e.line).includes(w.text));
          assert.ok(
            hit,
            `${w.feature} evidence at a line of ${w.file} containing ${JSON.stringify(w.text)}; got:\n${f.evidence.map((e) => `  ${e.feature} ${e.file}:${e.line + 1} ${e.reason}`).join('\n')}`,
          );
        }
        for (const w of want.notEvidence ?? []) {
          const hit = f.evidence.find((e) => e.feature === w.feature && lineOf(e.file, e.line).includes(w.text));
          assert.ok(!hit, `no ${w.feature} evidence at a line containing ${JSON.stringify(w.text)}: ${hit?.reason}`);
        }
      });

      if (want.stateful && want.flowKey.length) {
        it('names the origin of every key field in its evidence', () => {
          const keyEvidence = got()
            .evidence.filter((e) => e.feature === 'flowKey')
            .map((e) => e.reason + ' ' + lineOf(e.file, e.line));
          for (const field of want.flowKey) {
            const raw: Record<string, RegExp> = {
              src_ip: /ip_src|saddr|src_ip|IPFlow5?ID|12\/0|5-tuple/,
              dst_ip: /ip_dst|daddr|dst_ip|IPFlow5?ID|16\/0|5-tuple/,
              src_port: /sport|src_port|IPFlow5?ID|20\/0|5-tuple/,
              dst_port: /dport|dst_port|IPFlow5?ID|22\/0|20\/0\/ffffffff|5-tuple/,
              protocol: /ip_p\b|proto\(|protocol|IPFlow5ID|FLOW_TCP|5-tuple/,
            };
            assert.ok(
              keyEvidence.some((t) => raw[field].test(t)),
              `${field} is explained: ${keyEvidence.join(' | ')}`,
            );
          }
        });
      }
    });
  }
});
