import { ElementIndex } from '../../server/src/core/cpp/elementIndex';
import { FeatureTracker } from '../../server/src/core/analysis/featureTracker';
import { FeatureStore } from '../../server/src/core/store/featureStore';
export const name = 'probe';
export async function bench() {
  const root = '/tmp/fc/fastclick';
  const index = await ElementIndex.create();
  await index.build([root]);
  const tracker = new FeatureTracker(index, FeatureStore.memory(root));
  await tracker.analyzeAll();
  const models = (index as any).parsed as Map<string, any>;
  let total = 0; const parts: string[] = [];
  let t0 = Date.now();
  for (const [p, m] of models) { const s = JSON.stringify({ ...m, text: undefined }); total += s.length; parts.push(s); }
  const tS = Date.now() - t0; t0 = Date.now();
  for (const s of parts) JSON.parse(s);
  const tP = Date.now() - t0;
  let textTotal = 0; for (const [, s] of (index as any).sources) textTotal += s.text.length;
  console.log({ models: models.size, jsonMB: total / 1e6, stringifyMs: tS, parseMs: tP, textMB: textTotal / 1e6 });
  return [];
}
