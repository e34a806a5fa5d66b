// The static analysis on real upstream FastClick: every labelled element of the corpus is analyzed
// from the shared archive, accuracy is computed per feature and per confidence level, and the test
// fails when it falls below the floors (what the analysis reached when they were last raised) or
// when README's table is stale (`npm run accuracy` regenerates it).
import * as assert from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fastclickSourceDir } from '../../support/fastclickSource';
import { formatTable, measureUpstream, percent, readmeBlock, score, type AccuracyReport, type LabelFile } from '../../support/upstreamAccuracy';

const repoRoot = process.cwd();

/**
 * Floors, in percent and counts. The targets are stateful ≥ 95, key ≥ 90, no wider key and
 * no wrong answer at high confidence; the floors only go up as the analysis improves.
 */
const FLOORS = { stateful: 97, key: 93, maxWiderKeys: 0, maxWrongAtHigh: 0 };

describe('accuracy on the labelled upstream corpus', function () {
  this.timeout(300_000);
  let report: AccuracyReport;
  let labels: LabelFile;

  before(async function () {
    ({ labels, report } = await measureUpstream(repoRoot, fastclickSourceDir()));
    console.log(formatTable(report, labels.fastclick).replace(/^/gm, '      '));
    for (const v of report.verdicts) if (v.detail) console.log(`      wrong: ${v.name} [${v.confidence ?? '-'}] ${v.detail}`);
  });

  it('labels at least 60 elements, each with file:line evidence and a sentence', function () {
    const names = Object.keys(labels.elements);
    assert.ok(names.length >= 60, `only ${names.length} labelled elements`);
    for (const n of names) {
      const l = labels.elements[n];
      assert.ok(l.evidence.length > 0 && l.evidence.every((e) => e.file && e.line > 0 && e.why), `${n}: evidence`);
      assert.ok(l.note && l.note.length > 10, `${n}: note`);
      if (!l.stateful) assert.deepStrictEqual(l.flowKey, [], `${n}: a stateless label has no key`);
    }
  });

  it('every evidence line exists in the upstream source', function () {
    const root = fastclickSourceDir();
    for (const [n, l] of Object.entries(labels.elements)) {
      for (const e of l.evidence) {
        const lines = readFileSync(join(root, e.file), 'utf8').split('\n');
        assert.ok(e.line <= lines.length, `${n}: ${e.file}:${e.line} is past the end`);
      }
    }
  });

  it('finds every labelled element', function () {
    assert.deepStrictEqual(report.missing, []);
  });

  it('stays at or above the accuracy floors', function () {
    assert.ok(percent(report.stateful) >= FLOORS.stateful, `stateful ${percent(report.stateful)}% < ${FLOORS.stateful}%`);
    assert.ok(percent(report.key) >= FLOORS.key, `key ${percent(report.key)}% < ${FLOORS.key}%`);
    assert.ok(report.keyWider.length <= FLOORS.maxWiderKeys, `keys wider than the label: ${report.keyWider.join(', ')}`);
    const high = report.byConfidence.high ?? { wrong: 0, names: [] };
    assert.ok(high.wrong <= FLOORS.maxWrongAtHigh, `wrong at high confidence: ${high.names.join(', ')}`);
  });

  it('README shows the table this run measured', function () {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    assert.strictEqual(readmeBlock(readme), formatTable(report, labels.fastclick).trim(), 'README is stale: run npm run accuracy');
  });
});

describe('accuracy scoring', function () {
  const labels: LabelFile = {
    fastclick: 'test',
    elements: {
      Nat: {
        files: [],
        category: 'nat',
        stateful: true,
        flowKey: ['src_ip', 'dst_ip', 'src_port', 'dst_port', 'protocol'],
        protocolFixedBySession: true,
        intensity: 'per-flow',
        pointerChasing: true,
        evidence: [],
        note: '',
      },
      Counter: { files: [], category: 'counter', stateful: false, flowKey: [], intensity: null, pointerChasing: null, evidence: [], note: '' },
      Policer: { files: [], category: 'monitor', stateful: true, flowKey: ['dst_ip'], intensity: 'per-packet', pointerChasing: false, evidence: [], note: '' },
      Gone: { files: [], category: 'x', stateful: true, flowKey: ['src_ip'], intensity: 'per-packet', pointerChasing: false, evidence: [], note: '' },
    },
  };

  it('counts stateful, exact keys (protocol ignored where the session fixes it), wider keys and confidence', function () {
    const r = score(
      labels,
      (n) =>
        ({
          Nat: { stateful: true, flowKey: ['src_ip', 'dst_ip', 'src_port', 'dst_port'], intensity: 'per-packet', pointerChasing: true, confidence: 'high' },
          Counter: { stateful: true, flowKey: [], intensity: 'per-packet', pointerChasing: false, confidence: 'high' },
          Policer: { stateful: true, flowKey: ['src_ip', 'dst_ip'], intensity: 'per-packet', pointerChasing: false, confidence: 'medium' },
        })[n] as never,
    );
    assert.deepStrictEqual(r.missing, ['Gone']);
    assert.deepStrictEqual(r.stateful, { right: 2, total: 4 });
    assert.deepStrictEqual(r.confusion, { tp: 2, fp: 1, fn: 0, tn: 0 });
    assert.deepStrictEqual(r.key, { right: 1, total: 2 });
    assert.deepStrictEqual(r.keyWider, ['Policer']);
    assert.deepStrictEqual(r.intensity, { right: 1, total: 2 });
    assert.deepStrictEqual(r.byConfidence.high, { answers: 2, wrong: 1, names: ['Counter'] });
    assert.deepStrictEqual(r.byConfidence.medium, { answers: 1, wrong: 1, names: ['Policer'] });
  });
});
