// Accuracy of the static analysis against the labelled corpus of upstream FastClick elements
// (test/fixtures/upstream-labels.json, labelled by hand from the code, independently of the
// analyzer). Scoring is pure: labels and predictions in, counts out; the test and the README
// table generator share it so the README always shows what the test measured.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ElementFeatures, FlowField } from '../../server/src/core/analysis/features';
import { FeatureTracker } from '../../server/src/core/analysis/featureTracker';
import { ElementIndex } from '../../server/src/core/cpp/elementIndex';
import { FeatureStore } from '../../server/src/core/store/featureStore';

export interface LabelEvidence {
  file: string;
  line: number;
  why: string;
}

export interface UpstreamLabel {
  files: string[];
  category: string;
  stateful: boolean;
  flowKey: FlowField[];
  /** The session (e.g. a TCP-only context) fixes the protocol: `protocol` is ignored on both sides. */
  protocolFixedBySession?: boolean;
  otherKeyFields?: string[];
  intensity: 'per-packet' | 'per-flow' | null;
  pointerChasing: boolean | null;
  bidirectional?: boolean;
  directionPorts?: Record<string, string> | null;
  fragments?: boolean;
  evidence: LabelEvidence[];
  note: string;
  ambiguous?: boolean;
}

export interface LabelFile {
  fastclick: string;
  elements: Record<string, UpstreamLabel>;
}

export function loadLabels(repoRoot: string): LabelFile {
  return JSON.parse(readFileSync(join(repoRoot, 'test', 'fixtures', 'upstream-labels.json'), 'utf8')) as LabelFile;
}

export type Prediction = Pick<ElementFeatures, 'stateful' | 'flowKey' | 'intensity' | 'pointerChasing' | 'confidence'>;

export interface Ratio {
  right: number;
  total: number;
}

export interface ElementVerdict {
  name: string;
  missing: boolean;
  statefulRight: boolean;
  /** Only when both call it stateful. */
  keyExact?: boolean;
  keyWider?: boolean;
  intensityRight?: boolean;
  pointersRight?: boolean;
  confidence?: string;
  /** Any scored feature wrong. */
  wrong: boolean;
  detail: string;
}

export interface AccuracyReport {
  elements: number;
  missing: string[];
  stateful: Ratio;
  /** Stateful confusion: label × prediction. */
  confusion: { tp: number; fp: number; fn: number; tn: number };
  key: Ratio;
  keyWider: string[];
  intensity: Ratio;
  pointerChasing: Ratio;
  /** Per confidence level: answers and wrong answers. */
  byConfidence: Record<string, { answers: number; wrong: number; names: string[] }>;
  verdicts: ElementVerdict[];
}

function keyOf(fields: readonly string[], ignoreProtocol: boolean): string[] {
  return [...new Set(fields)].filter((f) => !(ignoreProtocol && f === 'protocol')).sort();
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function score(labels: LabelFile, predict: (name: string) => Prediction | undefined): AccuracyReport {
  const report: AccuracyReport = {
    elements: 0,
    missing: [],
    stateful: { right: 0, total: 0 },
    confusion: { tp: 0, fp: 0, fn: 0, tn: 0 },
    key: { right: 0, total: 0 },
    keyWider: [],
    intensity: { right: 0, total: 0 },
    pointerChasing: { right: 0, total: 0 },
    byConfidence: {},
    verdicts: [],
  };
  for (const name of Object.keys(labels.elements).sort()) {
    const label = labels.elements[name];
    report.elements++;
    report.stateful.total++;
    const p = predict(name);
    if (!p) {
      report.missing.push(name);
      report.verdicts.push({ name, missing: true, statefulRight: false, wrong: true, detail: 'not found by the index' });
      continue;
    }
    const statefulRight = p.stateful === label.stateful;
    if (statefulRight) report.stateful.right++;
    if (label.stateful && p.stateful) report.confusion.tp++;
    else if (!label.stateful && p.stateful) report.confusion.fp++;
    else if (label.stateful && !p.stateful) report.confusion.fn++;
    else report.confusion.tn++;
    const v: ElementVerdict = { name, missing: false, statefulRight, confidence: p.confidence, wrong: !statefulRight, detail: '' };
    const details: string[] = [];
    if (!statefulRight) details.push(`stateful: label ${label.stateful}, analyzer ${p.stateful}`);
    if (label.stateful && p.stateful) {
      const ignore = !!label.protocolFixedBySession;
      const want = keyOf(label.flowKey, ignore);
      const got = keyOf(p.flowKey, ignore);
      v.keyExact = sameSet(want, got);
      v.keyWider = got.some((f) => !want.includes(f));
      report.key.total++;
      if (v.keyExact) report.key.right++;
      else details.push(`key: label {${want.join(' ')}}, analyzer {${got.join(' ')}}`);
      if (v.keyWider) report.keyWider.push(name);
      if (label.intensity) {
        report.intensity.total++;
        v.intensityRight = p.intensity === label.intensity;
        if (v.intensityRight) report.intensity.right++;
        else details.push(`intensity: label ${label.intensity}, analyzer ${p.intensity}`);
      }
      if (label.pointerChasing !== null && label.pointerChasing !== undefined) {
        report.pointerChasing.total++;
        v.pointersRight = p.pointerChasing === label.pointerChasing;
        if (v.pointersRight) report.pointerChasing.right++;
        else details.push(`pointer chasing: label ${label.pointerChasing}, analyzer ${p.pointerChasing}`);
      }
      // A confidence claim covers the state and its key; intensity and pointers are reported apart.
      v.wrong = !v.keyExact;
    }
    v.detail = details.join('; ');
    const c = (report.byConfidence[p.confidence] ??= { answers: 0, wrong: 0, names: [] });
    c.answers++;
    if (v.wrong) {
      c.wrong++;
      c.names.push(name);
    }
    report.verdicts.push(v);
  }
  return report;
}

export function percent(r: Ratio): number {
  return r.total ? Math.round((1000 * r.right) / r.total) / 10 : 100;
}

/** The README table: accuracy per feature, the stateful confusion counts and wrong answers per confidence. */
export function formatTable(r: AccuracyReport, fastclick: string): string {
  const row = (what: string, x: Ratio, note: string) => `| ${what} | ${x.right} / ${x.total} | ${percent(x)}% | ${note} |`;
  const lines = [
    `Static analysis against ${r.elements} hand-labelled upstream FastClick elements (commit ${fastclick}; \`test/fixtures/upstream-labels.json\`).`,
    '',
    '| feature | right | accuracy | notes |',
    '|---|---|---|---|',
    row(
      'stateful',
      r.stateful,
      `confusion (label × analyzer): ${r.confusion.tp} stateful/stateful, ${r.confusion.fn} stateful/stateless, ${r.confusion.fp} stateless/stateful, ${r.confusion.tn} stateless/stateless${r.missing.length ? `; ${r.missing.length} not found` : ''}`,
    ),
    row('flow key exact', r.key, `on elements both call stateful; keys wider than the label: ${r.keyWider.length}`),
    row('R/W intensity', r.intensity, 'on elements both call stateful'),
    row('pointer chasing', r.pointerChasing, 'on elements both call stateful'),
    '',
    '| confidence | answers | wrong (stateful or key) |',
    '|---|---|---|',
    ...['high', 'medium', 'low'].map((c) => {
      const x = r.byConfidence[c] ?? { answers: 0, wrong: 0 };
      return `| ${c} | ${x.answers} | ${x.wrong} |`;
    }),
  ];
  return lines.join('\n');
}

export const README_START = '<!-- upstream-accuracy:start (generated by npm run accuracy) -->';
export const README_END = '<!-- upstream-accuracy:end -->';

/** README text with the generated block replaced; throws when the markers are missing. */
export function replaceReadmeBlock(readme: string, table: string): string {
  const a = readme.indexOf(README_START);
  const b = readme.indexOf(README_END);
  if (a < 0 || b < a) throw new Error('README.md lacks the upstream-accuracy markers');
  return readme.slice(0, a + README_START.length) + '\n' + table + '\n' + readme.slice(b);
}

export function readmeBlock(readme: string): string | undefined {
  const a = readme.indexOf(README_START);
  const b = readme.indexOf(README_END);
  if (a < 0 || b < a) return undefined;
  return readme.slice(a + README_START.length, b).trim();
}

/** Indexes the upstream tree and analyzes the labelled elements with the static analyzer. */
export async function measureUpstream(repoRoot: string, fastclickRoot: string): Promise<{ labels: LabelFile; report: AccuracyReport }> {
  const labels = loadLabels(repoRoot);
  const index = await ElementIndex.create();
  await index.build([join(fastclickRoot, 'elements'), join(fastclickRoot, 'include')]);
  const tracker = new FeatureTracker(index, FeatureStore.memory(repoRoot));
  await tracker.analyzeAll({ only: Object.keys(labels.elements) });
  const report = score(labels, (name) => tracker.get(name)?.features);
  return { labels, report };
}
