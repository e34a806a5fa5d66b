// Bench: parse and model a generated 5,000-element configuration, then update it after one-character
// edits. Targets (issue #3): full parse + model < 100 ms, incremental update < 10 ms. Figures are
// medians of several runs after a warm-up. Updates go through ClickDocument.setText, the call the
// language server makes on every change (server/src/lsp/clickDocuments.ts), and only that call is
// timed: the server receives the new text from the editor already built.
import { ClickDocument } from '../../server/src/core/click/clickDocument';
import { createParser } from '../../server/src/core/treeSitter';
import type { BenchResult } from './benchResult';


export const name = 'Click parser and configuration model';

/** A configuration of `elements` elements in chains of five, as a large deployment would write them. */
export function generateConfig(elements: number): string {
  const lines = ['// generated for the FlowMage benchmark', 'define($port 0, $size 8000000, $threads 16)', ''];
  for (let i = 0; i < elements / 5; i++) {
    lines.push(`src${i} :: FromDPDKDevice($port, QUEUE ${i % 16}, MAXTHREADS $threads, BURST 32)`);
    lines.push(`  -> cl${i} :: Classifier(12/0800, -)`);
    lines.push(`  -> psd${i} :: IPortScanDetector(SIZE $size, SHARED false)`);
    lines.push(`  -> IPolicer(SIZE 8000000, RATE ${1000 + i})`);
    lines.push(`  -> sink${i} :: ToDPDKDevice($port, QUEUE ${i % 16});`);
  }
  return lines.join('\n') + '\n';
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

const round = (x: number) => Math.round(x * 100) / 100;

async function timeFull(text: string, runs: number): Promise<{ ms: number; elements: number }> {
  const times: number[] = [];
  let elements = 0;
  for (let r = 0; r < runs + 2; r++) {
    const t = performance.now();
    const doc = await ClickDocument.create(text);
    const ms = performance.now() - t;
    elements = doc.model.elements.length;
    doc.dispose();
    if (r >= 2) times.push(ms);
  }
  return { ms: median(times), elements };
}

export async function bench(): Promise<BenchResult[]> {
  const text = generateConfig(5000);
  const results: BenchResult[] = [];

  const parser = await createParser('click');
  const parseTimes: number[] = [];
  for (let r = 0; r < 9; r++) {
    const t = performance.now();
    parser.parse(text)?.delete();
    if (r >= 2) parseTimes.push(performance.now() - t);
  }
  parser.delete();

  const full = await timeFull(text, 7);
  results.push({ name: `full parse + model, ${full.elements} elements (${Math.round(text.length / 1024)} KB)`, value: round(full.ms), unit: 'ms', target: 100, detail: `tree-sitter parse alone ${round(median(parseTimes))} ms` });

  // One-character edits in the middle of the file: a digit in an argument (only that statement is
  // relinked), then a character of a name other statements use (the whole file is relinked).
  const doc = await ClickDocument.create(text);
  try {
    const valueEdits: number[] = [];
    const nameEdits: number[] = [];
    const kinds = new Set<string>();
    const nameKinds = new Set<string>();
    const replaced = (at: number, by: string) => doc.text.slice(0, at) + by + doc.text.slice(at + 1);
    for (let r = 0; r < 24; r++) {
      const at = doc.text.indexOf('RATE ', (doc.text.length >> 1) + r * 997) + 5;
      const next = replaced(at, String((Number(doc.text[at]) + 1) % 10));
      const t = performance.now();
      doc.setText(next);
      if (r >= 4) valueEdits.push(performance.now() - t);
      kinds.add(doc.lastUpdate);
    }
    for (let r = 0; r < 12; r++) {
      const at = doc.text.indexOf('-> psd', (doc.text.length >> 1) + r * 1499) + 4;
      const next = replaced(at, r % 2 ? 'p' : 'P');
      const t = performance.now();
      doc.setText(next);
      if (r >= 2) nameEdits.push(performance.now() - t);
      nameKinds.add(doc.lastUpdate);
    }
    // Typing: a digit inserted, then deleted again, so every statement after it moves.
    const typed: number[] = [];
    const typedKinds = new Set<string>();
    for (let r = 0; r < 24; r++) {
      const at = doc.text.indexOf('RATE ', (doc.text.length >> 1) + (r >> 1) * 997) + 5;
      const next = r % 2 ? doc.text.slice(0, at) + doc.text.slice(at + 1) : doc.text.slice(0, at) + '7' + doc.text.slice(at);
      const t = performance.now();
      doc.setText(next);
      if (r >= 4) typed.push(performance.now() - t);
      typedKinds.add(doc.lastUpdate);
    }
    results.push({ name: 'incremental update after a one-character edit in an argument', value: round(median(valueEdits)), unit: 'ms', target: 10, detail: `update kinds seen: ${[...kinds].join(', ')}` });
    results.push({ name: 'incremental update after typing or deleting a character in an argument (later statements move)', value: round(median(typed)), unit: 'ms', target: 10, detail: `update kinds seen: ${[...typedKinds].join(', ')}` });
    results.push({ name: 'update after a one-character edit of a declared name', value: round(median(nameEdits)), unit: 'ms', detail: `update kinds seen: ${[...nameKinds].join(', ')}` });
  } finally {
    doc.dispose();
  }

  // Roughly linear: four times the text should take about four times as long.
  const quarter = await timeFull(generateConfig(5000), 3);
  const four = await timeFull(generateConfig(20000), 3);
  results.push({ name: 'full parse + model, 20,000 elements', value: round(four.ms), unit: 'ms', detail: `${round(four.ms / quarter.ms)}x the 5,000-element time for 4x the text` });
  return results;
}
