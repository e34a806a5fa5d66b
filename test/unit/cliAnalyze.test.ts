import * as assert from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, ROOT } from './cpp/fixtureIndex';

const CLI = join(ROOT, 'dist', 'cli.js');
function flowmage(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('flowmage analyze', function () {
  this.timeout(30_000);

  it('prints the exact JSON shape with --json', () => {
    const r = flowmage(['analyze', '--source', 'test/fixtures/elements', '--json']);
    assert.strictEqual(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepStrictEqual(Object.keys(out), ['elements', 'stats']);
    assert.deepStrictEqual(Object.keys(out.stats), ['files', 'elements', 'ms']);
    assert.strictEqual(out.stats.elements, 26);
    const psd = out.elements.IPortScanDetector;
    assert.deepStrictEqual(Object.keys(psd), [
      'stateful',
      'flowKey',
      'otherKeyFields',
      'intensity',
      'pointerChasing',
      'bidirectional',
      'directionPorts',
      'fragments',
      'stateObjects',
      'evidence',
      'confidence',
      'threading',
      'files',
      'provenance',
      'parameters',
    ]);
    assert.strictEqual(psd.threading.model, 'per-thread');
    assert.ok(
      psd.threading.evidence.some((e: { reason: string }) => /per_thread/.test(e.reason)),
      JSON.stringify(psd.threading),
    );
    assert.deepStrictEqual([psd.stateful, psd.flowKey, psd.intensity, psd.pointerChasing, psd.provenance], [true, ['src_ip'], 'per-packet', true, 'static']);
    // The keyword arguments configure() accepts, through the IFlowManager base's parse(&args).
    assert.deepStrictEqual(Object.keys(psd.parameters), ['completeness', 'parameters', 'reasons']);
    assert.strictEqual(psd.parameters.completeness, 'complete', psd.parameters.reasons.join('; '));
    assert.deepStrictEqual(
      psd.parameters.parameters.map((p: { name: string }) => p.name),
      ['SHARED', 'SIZE', 'LIMIT'],
    );
    assert.ok(psd.parameters.parameters.every((p: { file: string }) => p.file.startsWith('test/fixtures/elements/')));
    assert.ok(psd.files.includes('test/fixtures/elements/elements/flowmage/iportscandetector.cc'), psd.files.join(' '));
    assert.ok(psd.evidence.every((e: { file: string }) => e.file.startsWith('test/fixtures/elements/')));
    const stateless = out.elements.EtherMirror;
    assert.deepStrictEqual([stateless.stateful, stateless.flowKey, stateless.intensity], [false, [], null]);
  });

  it('prints a table and limits itself to --element', () => {
    const r = flowmage(['analyze', '--source', FIXTURES, '--element', 'IPolicer', '--element', 'HashSwitch']);
    assert.strictEqual(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0], /^ELEMENT\s+STATE\s+KEY\s+INTENSITY\s+POINTERS\s+CONFIDENCE/);
    assert.match(r.stdout, /HashSwitch\s+stateless\s+-/);
    assert.match(r.stdout, /IPolicer\s+stateful\s+dst_ip\s+per-packet\s+no\s+high/);
    assert.ok(!r.stdout.includes('IPortScanDetector'));
    assert.match(r.stdout, /2 element\(s\) in \d+ file\(s\)/);
  });

  it('exits 1 naming an element it cannot find', () => {
    const r = flowmage(['analyze', '--source', FIXTURES, '--element', 'NoSuchThing', '--json']);
    assert.strictEqual(r.code, 1);
    assert.match(r.stderr, /no element named NoSuchThing/);
    assert.deepStrictEqual(JSON.parse(r.stdout).elements, {});
  });

  it('exits 2 with one line for a missing source or no --source', () => {
    const missing = flowmage(['analyze', '--source', '/no/such/dir']);
    assert.strictEqual(missing.code, 2);
    assert.strictEqual(missing.stderr.trim().split('\n').length, 1);
    assert.match(missing.stderr, /source path \/no\/such\/dir does not exist/);
    const none = flowmage(['analyze']);
    assert.strictEqual(none.code, 2);
    assert.match(none.stderr, /give at least one --source/);
  });

  it('exits 1 when the sources hold no element', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowmage-cli-empty-'));
    try {
      writeFileSync(join(dir, 'util.cc'), 'static int helper(int x) { return x + 1; }\n');
      const r = flowmage(['analyze', '--source', dir]);
      assert.strictEqual(r.code, 1);
      assert.match(r.stderr, /no elements found/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reuses a --store across runs and never re-analyzes unchanged elements', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flowmage-cli-store-'));
    try {
      const store = join(dir, 'features.json');
      const first = flowmage(['analyze', '--source', FIXTURES, '--store', store]);
      assert.strictEqual(first.code, 0, first.stderr);
      assert.match(first.stdout, /26 analyzed, 0 unchanged/);
      assert.strictEqual(JSON.parse(readFileSync(store, 'utf8')).schema, 'flowmage-features');
      const second = flowmage(['analyze', '--source', FIXTURES, '--store', store]);
      assert.match(second.stdout, /0 analyzed, 26 unchanged/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is listed in the help', () => {
    assert.match(flowmage(['--help']).stdout, /analyze\s+find the FastClick elements/);
    assert.match(flowmage(['analyze', '--help']).stdout, /--source DIR/);
  });
});
