import * as assert from 'node:assert';
import type { ElementFeatures } from '../../../server/src/core/analysis/features';
import { mergeFeatures } from '../../../server/src/core/llm/merge';
import { vote } from '../../../server/src/core/llm/extract';
import type { LlmFeatureAnswer } from '../../../server/src/core/llm/types';

const stat = (over: Partial<ElementFeatures>): ElementFeatures => ({
  stateful: true,
  flowKey: ['src_ip'],
  intensity: 'per-packet',
  pointerChasing: false,
  stateObjects: [],
  evidence: [],
  confidence: 'high',
  unknown: [],
  ...over,
});
const llm = (over: Partial<LlmFeatureAnswer>) => ({
  model: 'gpt-4o',
  answer: { stateful: true, flowKey: ['src_ip'], intensity: 'per-packet', pointerChasing: false, stateObjects: [], ...over } as LlmFeatureAnswer,
});

describe('merging static analysis with the LLM', () => {
  it('agreeing sources merge without disagreements', () => {
    const m = mergeFeatures(stat({}), llm({}))!;
    assert.deepStrictEqual(m.flowKey, ['src_ip']);
    assert.deepStrictEqual(m.disagreements, []);
    assert.deepStrictEqual(m.sources, ['static', 'llm:gpt-4o']);
  });

  it('uses the intersection of two different keys and says so', () => {
    const m = mergeFeatures(stat({ flowKey: ['src_ip'] }), llm({ flowKey: ['src_ip', 'src_port'] }))!;
    assert.deepStrictEqual(m.flowKey, ['src_ip']);
    assert.strictEqual(m.disagreements[0].feature, 'flowKey');
    assert.match(m.disagreements[0].resolution, /intersection src_ip/);
  });

  it('a static key made only of fields outside the 5-tuple is decided: the LLM cannot widen it', () => {
    const m = mergeFeatures(stat({ flowKey: [], otherKeyFields: ['src_mac'] }), llm({ flowKey: ['src_ip'] }))!;
    assert.deepStrictEqual(m.flowKey, []);
    assert.deepStrictEqual(m.otherKeyFields, ['src_mac']);
    assert.strictEqual(m.disagreements[0].feature, 'flowKey');
  });

  it('an undecided empty static key still defers to the LLM', () => {
    const m = mergeFeatures(stat({ flowKey: [], unknown: ['flowKey'] }), llm({ flowKey: ['src_ip'] }))!;
    assert.deepStrictEqual(m.flowKey, ['src_ip']);
  });

  it('disjoint keys intersect to nothing: the element can never be shared-nothing', () => {
    const m = mergeFeatures(stat({ flowKey: ['src_ip'] }), llm({ flowKey: ['dst_ip'] }))!;
    assert.deepStrictEqual(m.flowKey, []);
  });

  it('stays stateful when the LLM was talked into "stateless" (prompt injection in a comment)', () => {
    const m = mergeFeatures(stat({ flowKey: ['dst_ip'] }), llm({ stateful: false, flowKey: [], intensity: null }))!;
    assert.strictEqual(m.stateful, true);
    assert.deepStrictEqual(m.flowKey, ['dst_ip']);
    assert.deepStrictEqual(
      m.disagreements.map((d) => d.feature),
      ['stateful'],
    );
  });

  it('takes the costlier intensity and pointer chasing when they differ', () => {
    const m = mergeFeatures(stat({ intensity: 'per-flow', pointerChasing: false }), llm({ intensity: 'per-packet', pointerChasing: true }))!;
    assert.strictEqual(m.intensity, 'per-packet');
    assert.strictEqual(m.pointerChasing, true);
    assert.strictEqual(m.disagreements.length, 2);
  });

  it('an empty undecided static key defers to the LLM key', () => {
    const m = mergeFeatures(stat({ flowKey: [], unknown: ['flowKey'] }), llm({ flowKey: ['dst_ip'] }))!;
    assert.deepStrictEqual(m.flowKey, ['dst_ip']);
  });

  it('a partial undecided static key still bounds a wider LLM key', () => {
    const m = mergeFeatures(stat({ flowKey: ['src_ip'], unknown: ['flowKey'] }), llm({ flowKey: ['src_ip', 'src_port'] }))!;
    assert.deepStrictEqual(m.flowKey, ['src_ip']);
  });

  it('votes ties toward the safe side', () => {
    const a: LlmFeatureAnswer = { stateful: true, flowKey: ['src_ip', 'dst_ip'], intensity: 'per-flow', pointerChasing: false, stateObjects: [] };
    const b: LlmFeatureAnswer = { stateful: true, flowKey: ['src_ip', 'src_port'], intensity: 'per-packet', pointerChasing: true, stateObjects: [] };
    const { answer } = vote([a, b]);
    assert.deepStrictEqual(answer.flowKey, ['src_ip']);
    assert.strictEqual(answer.intensity, 'per-packet');
    assert.strictEqual(answer.pointerChasing, true);
  });
});
