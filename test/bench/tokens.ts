// Prompt tokens per element: FlowMage's prompt built from our code slice, against the same prompt
// built from the whole files the slice draws on (the element's own files, its bases and its state
// types, as FlowMage's extractor sends them). Counted with cl100k_base, GPT-4 Turbo's tokenizer, to
// compare with the paper's 7,164 tokens per element. FLOWMAGE_TOKENS_DIR points it at another tree
// (a FastClick checkout) and FLOWMAGE_TOKENS_ELEMENTS=A,B limits the elements.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FeatureTracker } from '../../server/src/core/analysis/featureTracker';
import { ElementIndex } from '../../server/src/core/cpp/elementIndex';
import { featureMessages } from '../../server/src/core/llm/prompts';
import { countChatTokens } from '../../server/src/core/llm/tokens';
import { FeatureStore } from '../../server/src/core/store/featureStore';

export const name = 'LLM prompt tokens per element (slice vs whole files, cl100k_base)';

const ROOT = join(__dirname, '..', '..', '..');

export async function bench() {
  const dir = process.env.FLOWMAGE_TOKENS_DIR ?? join(ROOT, 'test', 'fixtures', 'elements');
  const index = await ElementIndex.create();
  await index.build([dir]);
  const tracker = new FeatureTracker(index, FeatureStore.memory(dir));
  await tracker.analyzeAll();
  const model = 'gpt-4-turbo';
  const rows: Array<{ name: string; slice: number; whole: number }> = [];
  const only = process.env.FLOWMAGE_TOKENS_ELEMENTS?.split(',').filter(Boolean);
  for (const t of tracker.all().sort((a, b) => a.info.clickName.localeCompare(b.info.clickName))) {
    if (only && !only.includes(t.info.clickName)) continue;
    const files = new Set([...t.files, ...t.slice.segments.map((s) => s.file)]);
    const wholeText = [...files].map((f) => readFileSync(f, 'utf8')).join('\n');
    rows.push({
      name: t.info.clickName,
      slice: countChatTokens(featureMessages(t.info.clickName, t.slice.text), model),
      whole: countChatTokens(featureMessages(t.info.clickName, wholeText), model),
    });
  }
  for (const r of rows)
    console.log(`  ${r.name.padEnd(22)} slice ${String(r.slice).padStart(5)}  whole files ${String(r.whole).padStart(5)}  (${Math.round((100 * r.slice) / r.whole)}%)`);
  const avg = (k: 'slice' | 'whole') => Math.round(rows.reduce((s, r) => s + r[k], 0) / rows.length);
  return [
    { name: 'mean prompt tokens with the code slice', value: avg('slice'), unit: 'tokens', detail: `${rows.length} elements; the paper averaged 7,164 per element` },
    { name: 'mean prompt tokens with whole files', value: avg('whole'), unit: 'tokens' },
    { name: 'slice / whole files', value: Math.round((100 * avg('slice')) / avg('whole')), unit: '%' },
  ];
}
