// Bench: a generated configuration of 1,000 elements over 20 chains, with the fixture element
// library. Measures hover over a real LSP connection (95th percentile), and in the core the work
// behind diagnostics after an edit (incremental parse + flow analysis + findings) and behind
// "Optimize chain" (analysis + edits). Targets (issue #6): hover < 5 ms p95, diagnostics < 50 ms,
// optimize < 50 ms. The server's 200 ms typing debounce is deliberate and not counted.
import { mkdtempSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HoverRequest } from 'vscode-languageserver-protocol/node';
import { FeatureTracker } from '../../server/src/core/analysis/featureTracker';
import { analyzeConfig } from '../../server/src/core/chains/analyzeConfig';
import { elementInfo } from '../../server/src/core/chains/elementLookup';
import { analyzeOptions } from '../../server/src/config/coreOptions';
import { ClickDocument } from '../../server/src/core/click/clickDocument';
import { ElementIndex } from '../../server/src/core/cpp/elementIndex';
import { defaultSettings } from '../../server/src/core/settings';
import { FeatureStore } from '../../server/src/core/store/featureStore';
import { applyEdits } from '../../server/src/core/text';
import { startServer } from '../protocol/lspClient';

export const name = 'Chain analysis, hover and Optimize chain (1,000 elements, 20 chains)';

const ROOT = join(__dirname, '..', '..', '..');
const CLASSES = [
  'CheckIPHeader',
  'IPortScanDetector',
  'AverageCounter',
  'IPolicer',
  'ISourceCounter',
  'IFlowCounter',
  'HashSwitch',
  'FlowCounter',
  'IPFlowRateLimiter',
  'BatchStats',
];

export function generateChains(chains: number, perChain: number): string {
  const lines = ['// generated for the FlowMage benchmark', 'define($size 8000000)', ''];
  for (let c = 0; c < chains; c++) {
    lines.push(`in${c} :: FromDPDKDevice(${c}, MAXTHREADS 16)`);
    for (let i = 0; i < perChain - 2; i++) lines.push(`  -> e${c}_${i} :: ${CLASSES[(c + i) % CLASSES.length]}(SIZE $size)`);
    lines.push(`  -> out${c} :: ToDPDKDevice(${c});`, '');
  }
  return lines.join('\n');
}

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const median = (xs: number[]) => percentile(xs, 50);
const round = (x: number) => Math.round(x * 100) / 100;

export async function bench() {
  const text = generateChains(20, 50);
  const elementsDir = join(ROOT, 'test', 'fixtures', 'elements');
  const index = await ElementIndex.create();
  await index.build([elementsDir]);
  const tracker = new FeatureTracker(index, FeatureStore.memory(elementsDir));
  await tracker.analyzeAll();
  const options = analyzeOptions(defaultSettings(), (n) => elementInfo(tracker, n));

  // Diagnostics after an edit: one-character edit, incremental parse, analysis and findings.
  const doc = await ClickDocument.create(text);
  await analyzeConfig(doc.model, options);
  const editTimes: number[] = [];
  const sizeAt = doc.text.indexOf('8000000');
  const lines = text.slice(0, sizeAt).split('\n');
  const pos = { line: lines.length - 1, character: lines[lines.length - 1].length };
  for (let r = 0; r < 15; r++) {
    const t = performance.now();
    const model = doc.applyChanges([{ range: { start: pos, end: { ...pos, character: pos.character + 1 } }, text: String((r % 9) + 1) }]);
    const a = await analyzeConfig(model, options);
    void a.findings.length;
    editTimes.push(performance.now() - t);
  }

  // Optimize chain: analysis and the rewrite's text edits, applied.
  const optimizeTimes: number[] = [];
  let edits = 0;
  for (let r = 0; r < 15; r++) {
    const t = performance.now();
    const a = await analyzeConfig(doc.model, options);
    applyEdits(doc.text, a.edits);
    optimizeTimes.push(performance.now() - t);
    edits = a.edits.length;
  }
  doc.dispose();

  // Hover over a real connection.
  const dir = mkdtempSync(join(tmpdir(), 'flowmage-bench-'));
  cpSync(elementsDir, join(dir, 'elements'), { recursive: true });
  writeFileSync(join(dir, 'bench.click'), text);
  const client = await startServer({ workspaceFolder: dir });
  const hoverTimes: number[] = [];
  try {
    const uri = pathToFileURL(join(dir, 'bench.click')).href;
    await client.open(uri, text);
    await client.waitForDiagnostics(uri, (p) => p.diagnostics.length > 0, 30_000);
    const textLines = text.split('\n');
    const targets = textLines.map((l, i) => ({ line: i, character: l.indexOf('e') + 1 })).filter((p, i) => /-> e\d/.test(textLines[i]) && p.character > 0);
    for (let r = 0; r < 220; r++) {
      const position = targets[(r * 37) % targets.length];
      const t = performance.now();
      await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position });
      if (r >= 20) hoverTimes.push(performance.now() - t);
    }
  } finally {
    await client.shutdown();
    rmSync(dir, { recursive: true, force: true });
  }

  return [
    {
      name: 'hover over LSP, 95th percentile',
      value: round(percentile(hoverTimes, 95)),
      unit: 'ms',
      target: 5,
      detail: `median ${round(median(hoverTimes))} ms over ${hoverTimes.length} hovers`,
    },
    {
      name: 'diagnostics work after a one-character edit (incremental parse + flow analysis)',
      value: round(median(editTimes)),
      unit: 'ms',
      target: 50,
      detail: `max ${round(Math.max(...editTimes))} ms`,
    },
    {
      name: 'Optimize chain (analysis + rewrite)',
      value: round(median(optimizeTimes)),
      unit: 'ms',
      target: 50,
      detail: `${edits} edits; max ${round(Math.max(...optimizeTimes))} ms`,
    },
  ];
}
