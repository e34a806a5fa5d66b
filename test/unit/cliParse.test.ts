import * as assert from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './cli.test';
import { FIXTURES } from './clickHelpers';

describe('flowmage parse', () => {
  it('prints the model as JSON with 1-based positions and exits 0 for a valid file', () => {
    const file = join(FIXTURES, 'valid', 'flowmage-nf.click');
    const r = runCli(['parse', file, '--json']);
    assert.strictEqual(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const line8 = readFileSync(file, 'utf8').split('\n')[7];
    const col = (word: string) => line8.indexOf(word) + 1;
    assert.deepStrictEqual(Object.keys(out), ['file', 'errors', 'elements', 'connections', 'elementclasses', 'defines']);
    assert.strictEqual(out.file, file);
    assert.deepStrictEqual(out.errors, []);
    const psd = out.elements.find((e: { name: string }) => e.name === 'psd');
    assert.deepStrictEqual(psd, {
      name: 'psd',
      class: 'IPortScanDetector',
      anonymous: false,
      scope: null,
      range: { line: 8, column: col('psd'), endLine: 8, endColumn: line8.length + 1 },
      args: [
        { keyword: 'SIZE', value: '8000000', range: { line: 8, column: col('SIZE'), endLine: 8, endColumn: col('SIZE') + 'SIZE 8000000'.length } },
        { keyword: 'SHARED', value: 'false', range: { line: 8, column: col('SHARED'), endLine: 8, endColumn: col('SHARED') + 'SHARED false'.length } },
      ],
    });
    assert.deepStrictEqual(out.elements.map((e: { name: string }) => e.name).slice(0, 3), ['input', 'Classifier@2', 'MarkIPHeader@3']);
    assert.deepStrictEqual(out.connections[0], { from: { element: 'input', port: 0 }, to: { element: 'Classifier@2', port: 0 }, operator: '->' });
    assert.deepStrictEqual(out.defines, [
      { name: 'port', value: '0000:51:00.0' },
      { name: 'cores', value: '16' },
    ]);
    assert.deepStrictEqual(out.elementclasses, []);
  });

  it('lists element classes, one entry per overload', () => {
    const r = runCli(['parse', join(FIXTURES, 'valid', 'compounds.click'), '--json']);
    assert.strictEqual(r.code, 0, r.stderr);
    const classes = JSON.parse(r.stdout).elementclasses.map((c: { name: string; formals: string[] }) => `${c.name}(${c.formals.join(', ')})`);
    assert.deepStrictEqual(classes, [
      'Counted($label)',
      'Paced(RATE $rate, __REST__ $rest)',
      'Tagger($color)',
      'Tagger($color, $anno)',
      'Tagger($color, $anno, $extra)',
      'Forwarder()',
      'Splitter()',
      'Half()',
    ]);
  });

  it('exits 1 and reports errors with their place', () => {
    const file = join(FIXTURES, 'broken', 'unclosed-config.click');
    const json = runCli(['parse', file, '--json']);
    assert.strictEqual(json.code, 1);
    assert.deepStrictEqual(JSON.parse(json.stdout).errors, [{ line: 3, column: 6, endLine: 3, endColumn: 31, message: 'missing `)` to close the configuration of `psd`' }]);
    const human = runCli(['parse', file]);
    assert.strictEqual(human.code, 1);
    assert.match(human.stdout, /unclosed-config\.click:3:6: error: missing `\)` to close the configuration of `psd`\n/);
    assert.match(human.stdout, /1 error\n$/);
  });

  it('prints a summary for humans', () => {
    const r = runCli(['parse', join(FIXTURES, 'valid', 'l3-forwarder.click')]);
    assert.strictEqual(r.code, 0);
    assert.match(r.stdout, /l3-forwarder\.click: \d+ elements \(\d+ named\), \d+ connections, 0 element classes, 7 defines\n$/);
  });

  it('exits 2 with one line on stderr when the file cannot be read', () => {
    const r = runCli(['parse', join(FIXTURES, 'no-such-file.click'), '--json']);
    assert.strictEqual(r.code, 2);
    assert.strictEqual(r.stdout, '');
    assert.strictEqual(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /cannot read .*no-such-file\.click: ENOENT/);
  });

  it('exits 2 on a usage error', () => {
    const r = runCli(['parse']);
    assert.strictEqual(r.code, 2);
    assert.match(r.stderr, /parse: expected one FILE\.click/);
  });
});
